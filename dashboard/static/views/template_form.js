// The template picker: approved templates from the synced list, each one's parameters as a
// form generated from its placeholders ({{1}} or {{first_name}}), header media and buttons.

import { gql } from "../api.js";
import { clear, errorBox, field, h, loading, randomKey } from "../dom.js";
import { MESSAGE } from "../fragments.js";
import { clearErrors, formErrors, showErrors } from "./field_errors.js";

const TEMPLATES = `query ApprovedTemplates {
  templates(filter: { status: ["APPROVED"] }) { id name language category parameterFormat components }
}`;
const SEND = `mutation ReplyWithTemplate($input: SendTemplateInput!) {
  sendTemplate(input: $input) {
    replayed message { __typename ${MESSAGE} } errors { code field message cloudApiCode }
  }
}`;
const MEDIA_HEADERS = { IMAGE: "image", VIDEO: "video", DOCUMENT: "document" };

let cached = null;

export async function renderTemplateForm(box, session, to, { onSent }) {
  box.append(loading("Loading the approved templates…"));
  let templates;
  try {
    cached = cached || (await gql(TEMPLATES)).templates;
    templates = cached;
  } catch (error) {
    cached = null;
    clear(box).append(errorBox(`The templates could not be loaded: ${error.message}`));
    return;
  }
  clear(box);
  if (!templates.length) {
    box.append(h("p", { class: "empty" },
      "No approved templates: sync them from Meta first (the syncTemplates mutation, admin key)."));
    return;
  }
  const pick = h("select", { id: "template-pick", name: "template" },
    h("option", { value: "" }, "Choose a template…"),
    templates.map((t, i) => h("option", { value: String(i) },
      `${t.name} · ${t.language}${t.category ? ` · ${t.category.toLowerCase()}` : ""}`)));
  const params = h("div", { class: "template-params" });
  const button = h("button", { type: "submit", disabled: true }, "Send template");
  const done = h("p", { class: "notice", role: "status" });
  const form = h("form", { class: "template-form", "aria-label": "Send a template" },
    field("Template", pick, `${templates.length} approved templates`).wrap,
    params, formErrors(), h("div", { class: "actions" }, button, done));
  let current = null;
  let idempotencyKey = randomKey();
  pick.addEventListener("change", () => {
    clearErrors(form);
    current = pick.value === "" ? null : describe(templates[Number(pick.value)]);
    clear(params);
    if (current) params.append(...parameterFields(current));
    button.disabled = !current;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current) return;
    clearErrors(form);
    button.disabled = true;
    done.textContent = "Sending…";
    const input = { to, phoneNumberId: session.phoneNumberId, name: current.template.name,
      language: current.template.language, session: { id: session.id }, idempotencyKey,
      ...values(current, form) };
    try {
      const { sendTemplate } = await gql(SEND, { input });
      idempotencyKey = randomKey();
      if (sendTemplate.message) onSent(sendTemplate.message);
      done.textContent = sendTemplate.errors.length ? "" : "Template sent.";
      const first = showErrors(form, sendTemplate.errors);
      if (first) first.focus();
    } catch (error) {
      done.textContent = "";
      showErrors(form, [{ message: `Not sent: ${error.message}`, field: null }]);
    } finally {
      button.disabled = false;
    }
  });
  box.append(form);
}

function placeholders(text) {
  const names = [...String(text || "").matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]);
  return [...new Set(names)];
}

/** What a template asks for: header kind and placeholders, body placeholders, dynamic buttons. */
export function describe(template) {
  const components = Array.isArray(template.components) ? template.components : [];
  const find = (type) => components.find((c) => String(c.type).toUpperCase() === type) || null;
  const header = find("HEADER");
  const body = find("BODY");
  const bodyNames = placeholders(body && body.text);
  const headerNames = header && String(header.format).toUpperCase() === "TEXT" ? placeholders(header.text) : [];
  const named = String(template.parameterFormat).toUpperCase() === "NAMED"
    || [...bodyNames, ...headerNames].some((n) => !/^\d+$/.test(n));
  const examples = (body && body.example) || {};
  const positional = (examples.body_text && examples.body_text[0]) || [];
  const byName = Object.fromEntries((examples.body_text_named_params || []).map((p) => [p.param_name, p.example]));
  const buttons = ((find("BUTTONS") || {}).buttons || []).map((b, index) => ({ ...b, index }))
    .filter((b) => {
      const type = String(b.type).toUpperCase();
      return (type === "URL" && placeholders(b.url).length) || type === "COPY_CODE" || type === "OTP";
    });
  return {
    template, named, bodyText: body ? body.text : "", bodyNames, headerNames, buttons,
    headerFormat: header ? String(header.format || "TEXT").toUpperCase() : null,
    headerText: header ? header.text : "",
    example: (name, i) => (named ? byName[name] : positional[i]) || "",
  };
}

function parameterFields(d) {
  const out = [];
  const preview = h("p", { class: "preview", id: "template-preview" }, d.bodyText);
  if (d.headerFormat === "TEXT" && d.headerNames.length) {
    const input = h("input", { name: "header", "data-field": d.named ? "namedHeader" : "header",
      "data-placeholder": d.headerNames[0], autocomplete: "off" });
    out.push(field(`Header {{${d.headerNames[0]}}}`, input, `The header reads “${d.headerText}”`).wrap);
  } else if (MEDIA_HEADERS[d.headerFormat]) {
    const input = h("input", { name: "header", type: "url", "data-field": "header", placeholder: "https://…" });
    out.push(field(`Header ${MEDIA_HEADERS[d.headerFormat]} (an HTTPS link)`, input).wrap);
  } else if (d.headerFormat === "LOCATION") {
    out.push(h("fieldset", { "data-field": "header" }, h("legend", {}, "Header location"),
      ["latitude", "longitude", "name", "address"].map((k) => field(k.charAt(0).toUpperCase() + k.slice(1),
        h("input", { name: `location-${k}`, inputmode: k.endsWith("itude") ? "decimal" : null })).wrap)));
  }
  if (d.bodyNames.length) {
    const group = d.named ? "namedBody" : "body";
    out.push(h("fieldset", { "data-field": group }, h("legend", {}, "Body parameters"),
      d.bodyNames.map((name, i) => {
        const input = h("input", { name: `body-${i}`, "data-field": `${group}.${i}`,
          "data-placeholder": name, placeholder: d.example(name, i), autocomplete: "off" });
        input.addEventListener("input", () => fillPreview(preview, d, input.form));
        return field(`{{${name}}}`, input).wrap;
      })));
  }
  if (d.buttons.length) {
    out.push(h("fieldset", { "data-field": "buttons" }, h("legend", {}, "Button parameters"),
      d.buttons.map((b, position) => {
        const kind = String(b.type).toUpperCase();
        const label = kind === "COPY_CODE" ? "Coupon code" : kind === "OTP" ? "One-time code"
          : `“${b.text}” link suffix (${b.url})`;
        return field(label, h("input", { name: `button-${position}`, "data-field": `buttons.${position}`,
          autocomplete: "off" })).wrap;
      })));
  }
  out.push(h("div", { class: "preview-box" }, h("h3", {}, "Preview"), preview));
  return out;
}

function fillPreview(preview, d, form) {
  let text = d.bodyText || "";
  d.bodyNames.forEach((name, i) => {
    const value = form.elements[`body-${i}`].value;
    text = text.split(`{{${name}}}`).join(value || `{{${name}}}`);
  });
  preview.textContent = text;
}

/** The form's values as SendTemplateInput fields (blank ones too: the API says what is wrong). */
function values(d, form) {
  const get = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");
  const out = {};
  if (d.headerFormat === "TEXT" && d.headerNames.length) {
    if (d.named) out.namedHeader = { name: d.headerNames[0], parameter: { text: get("header") } };
    else out.header = { text: get("header") };
  } else if (MEDIA_HEADERS[d.headerFormat]) {
    out.header = { [MEDIA_HEADERS[d.headerFormat]]: { link: get("header") } };
  } else if (d.headerFormat === "LOCATION") {
    out.header = { location: { latitude: Number(get("location-latitude")),
      longitude: Number(get("location-longitude")), name: get("location-name") || null,
      address: get("location-address") || null } };
  }
  if (d.bodyNames.length && d.named) {
    out.namedBody = d.bodyNames.map((name, i) => ({ name, parameter: { text: get(`body-${i}`) } }));
  } else if (d.bodyNames.length) {
    out.body = d.bodyNames.map((_, i) => ({ text: get(`body-${i}`) }));
  }
  if (d.buttons.length) {
    out.buttons = d.buttons.map((b, position) => ({
      index: b.index, subType: String(b.type).toUpperCase() === "COPY_CODE" ? "COPY_CODE" : "URL",
      parameter: get(`button-${position}`),
    }));
  }
  return out;
}
