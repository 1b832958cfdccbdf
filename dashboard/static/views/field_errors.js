// A mutation's `errors { code field message }` shown next to the field they name (data-field
// "body.1" matches the path ["input", "body", "1", "text"] by its longest known prefix); the
// rest go to the form's own alert.

import { clear, h, newId } from "../dom.js";

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("err-"));
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  });
  const general = form.querySelector(".form-errors");
  if (general) {
    clear(general);
    general.hidden = true;
  }
}

function target(form, path) {
  for (let n = path.length; n > 0; n -= 1) {
    const found = form.querySelector(`[data-field="${CSS.escape(path.slice(0, n).join("."))}"]`);
    if (found) return found;
  }
  return null;
}

export function errorText(error) {
  const meta = error.cloudApiCode ? ` (Meta's code ${error.cloudApiCode})` : "";
  return `${error.message}${meta}`;
}

/** Show each error by its field; returns the first element marked invalid (to focus). */
export function showErrors(form, errors) {
  clearErrors(form);
  const general = form.querySelector(".form-errors");
  let first = null;
  for (const error of errors) {
    const path = (error.field || []).filter((part, i) => !(i === 0 && part === "input"));
    const place = target(form, path);
    const note = h("p", { class: "field-error", id: newId("err") }, errorText(error));
    if (!place) {
      general.hidden = false;
      general.append(h("p", {}, errorText(error)));
      first = first || general;
      continue;
    }
    const input = ["INPUT", "SELECT", "TEXTAREA"].includes(place.tagName) ? place
      : place.querySelector("input, select, textarea");
    if (place === input) place.insertAdjacentElement("afterend", note);
    else place.append(note);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", [...ids, note.id].join(" "));
      first = first || input;
    }
  }
  return first;
}

export function formErrors() {
  return h("div", { class: "form-errors error", role: "alert", hidden: true });
}
