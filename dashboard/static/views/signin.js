// The sign-in screen: one field for the API key.

import { h } from "../dom.js";

export function renderSignIn(root, { message, kind, signIn }) {
  const input = h("input", {
    id: "api-key", name: "apiKey", type: "password", autocomplete: "off", required: true,
    spellcheck: "false", "aria-describedby": "api-key-hint sign-in-message",
  });
  const status = h("p", {
    id: "sign-in-message", class: kind === "error" ? "error" : "notice",
    role: kind === "error" ? "alert" : "status",
  }, message || "");
  if (!message) status.hidden = true;
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h("form", { class: "card sign-in", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in to wagraph"),
    h("div", { class: "field" },
      h("label", { for: "api-key" }, "API key"),
      input,
      h("small", { class: "hint", id: "api-key-hint" },
        "A read key shows everything; a write key can also reply and switch automations. "
        + "It is kept for this browser tab only."),
    ),
    status,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    button.disabled = true;
    status.hidden = false;
    status.className = "notice";
    status.setAttribute("role", "status");
    status.textContent = "Checking the key…";
    try {
      await signIn(key);
    } catch (error) {
      status.className = "error";
      status.setAttribute("role", "alert");
      status.textContent = `Sign-in failed: ${error.message}`;
      input.setAttribute("aria-invalid", "true");
      button.disabled = false;
      input.focus();
    }
  });
  root.append(h("div", { class: "center" }, form));
  input.focus();
}
