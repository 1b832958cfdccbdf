// The reply box under a timeline: free text while the 24-hour window is open, a template
// (views/template_form.js) when it is closed — or by choice.

import { gql } from "../api.js";
import { clear, h, randomKey } from "../dom.js";
import { MESSAGE } from "../fragments.js";
import { recipient, when } from "../format.js";
import { clearErrors, formErrors, showErrors } from "./field_errors.js";
import { renderTemplateForm } from "./template_form.js";

const SEND = `mutation Reply($input: SendMessageInput!) {
  sendMessage(input: $input) {
    replayed message { __typename ${MESSAGE} } errors { code field message cloudApiCode }
  }
}`;

export function renderReply(section, session, { onSent }) {
  section.append(h("h2", { id: "reply-title" }, "Reply"));
  const to = recipient(session.contact);
  if (!to) {
    section.append(h("p", { class: "muted" }, "This session has no contact to reply to."));
    return;
  }
  const body = h("div", {});
  const open = session.windowOpen;
  let mode = open ? "text" : "template";
  const notice = h("p", { class: open ? "notice" : "notice warn", id: "window-notice" }, open
    ? "The 24-hour window is open: you can write freely."
    : `The 24-hour window is closed${session.windowExpiresAt ? ` (since ${when(session.windowExpiresAt)})` : ""}: `
      + "WhatsApp only accepts a template until the customer writes again.");
  const switcher = h("button", { type: "button", class: "link-button" });
  const draw = () => {
    clear(body);
    if (mode === "text") body.append(textForm(session, to, onSent));
    else renderTemplateForm(body, session, to, { onSent });
    switcher.textContent = mode === "text" ? "Send a template instead" : "Write a message instead";
    switcher.hidden = !open;
  };
  switcher.addEventListener("click", () => {
    mode = mode === "text" ? "template" : "text";
    draw();
    const first = body.querySelector("textarea, select, input");
    if (first) first.focus();
  });
  section.append(notice, switcher, body);
  draw();
}

function textForm(session, to, onSent) {
  const text = h("textarea", {
    id: "reply-text", name: "body", rows: "3", maxlength: "4096",
    "data-field": "content.text.body", "aria-describedby": "reply-hint",
  });
  const button = h("button", { type: "submit" }, "Send");
  const done = h("p", { class: "notice", role: "status" });
  const form = h("form", { class: "reply-form", "aria-label": "Write a message" },
    h("div", { class: "field" },
      h("label", { for: "reply-text" }, "Message"),
      text,
      h("small", { class: "hint", id: "reply-hint" }, "Ctrl+Enter sends.")),
    formErrors(),
    h("div", { class: "actions" }, button, done),
  );
  let idempotencyKey = randomKey();
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    done.textContent = "Sending…";
    button.disabled = true;
    const input = {
      to, phoneNumberId: session.phoneNumberId, content: { text: { body: text.value } },
      session: { id: session.id }, idempotencyKey,
    };
    try {
      const { sendMessage } = await gql(SEND, { input });
      idempotencyKey = randomKey();
      if (sendMessage.message) onSent(sendMessage.message);
      if (sendMessage.errors.length) {
        done.textContent = "";
        const first = showErrors(form, sendMessage.errors);
        if (first) first.focus();
      } else {
        done.textContent = "Sent.";
        text.value = "";
        text.focus();
      }
    } catch (error) {
      done.textContent = "";
      showErrors(form, [{ message: `Not sent: ${error.message}`, field: null }]);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
