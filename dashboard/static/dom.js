// Building DOM nodes without innerHTML: every piece of data goes in as text.

/** h("a", {href: "#/x", class: "link"}, "text", child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = value;
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let uid = 0;
/** A fresh id for label/aria wiring. */
export function newId(prefix = "f") {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled input: returns {wrap, input}. */
export function field(label, input, hint) {
  const id = input.id || newId("in");
  input.id = id;
  const hintEl = hint ? h("small", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label), input, hintEl);
  return { wrap, input };
}

/** Say something to screen readers (the polite live region). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 30);
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

export function errorBox(text) {
  return h("p", { class: "error", role: "alert" }, text);
}

export function empty(text) {
  return h("p", { class: "empty" }, text);
}

/** A random id for idempotency keys (crypto.randomUUID needs a secure context). */
export function randomKey() {
  if (window.crypto && crypto.randomUUID && window.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
