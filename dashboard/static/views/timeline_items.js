// One timeline entry as a list item: a message (bubble, ticks, media, replies, reactions, flow
// answers) or an event (name, time, what it carries, the automation run behind it).

import { mediaUrl } from "../api.js";
import { h } from "../dom.js";
import { fullWhen, summary, when, words } from "../format.js";

const MEDIA = new Set(["IMAGE", "VIDEO", "AUDIO", "STICKER", "DOCUMENT"]);
// Message changes already shown on the message itself (hidden unless asked for).
export function isStatusEvent(e) {
  return e.__typename === "Event" && Boolean(e.message) && /^(message|template)\./.test(e.name);
}

const TICKS = {
  SENT: ["✓", "Sent"], DELIVERED: ["✓✓", "Delivered"], READ: ["✓✓", "Read"],
  FAILED: ["✕", "Failed"], SCHEDULED: ["◷", "Scheduled"], QUEUED: ["◷", "Queued"],
  SENDING: ["◷", "Sending"], CANCELLED: ["⊘", "Cancelled"],
};

export function renderItem(node, blobs) {
  return node.__typename === "Event" ? renderEvent(node) : renderMessage(node, blobs);
}

function renderMessage(m, blobs) {
  const outbound = m.direction === "OUTBOUND";
  const who = outbound ? (m.origin === "BUSINESS_APP" ? "You (WhatsApp Business app)" : "You")
    : "Customer";
  return h("li", {
    class: `item msg ${outbound ? "out" : "in"}`,
    dataset: { id: m.id, kind: "message", status: m.status },
  },
  h("article", { class: "bubble", "aria-label": `${who}, ${when(m.createdAt)}` },
    h("header", { class: "who" }, h("span", {}, who),
      h("time", { datetime: m.receivedAt || m.createdAt, title: fullWhen(m.receivedAt || m.createdAt) },
        when(m.receivedAt || m.createdAt))),
    quote(m),
    body(m, blobs),
    m.editedAt ? h("small", { class: "muted block" }, `Edited ${when(m.editedAt)}`) : null,
    m.deletedAt ? h("small", { class: "muted block" }, `Deleted by the customer ${when(m.deletedAt)}`) : null,
    outbound ? status(m) : null));
}

function quote(m) {
  if (!m.replyTo || m.type === "REACTION") return null;
  return h("blockquote", { class: "quote" }, h("span", { class: "sr-only" }, "In reply to: "),
    m.replyTo.text || words(m.replyTo.type));
}

function body(m, blobs) {
  const content = m.content || {};
  switch (m.type) {
    case "TEXT":
      return h("p", { class: "text" }, m.text || "");
    case "TEMPLATE":
      return templateBody(m, content.template || {});
    case "REACTION": {
      const emoji = (content.reaction && content.reaction.emoji) || content.emoji || m.text || "";
      const target = m.replyTo ? `“${m.replyTo.text || words(m.replyTo.type)}”` : "a message";
      return h("p", { class: "text reaction" }, emoji ? `Reacted ${emoji} to ${target}` : `Removed a reaction to ${target}`);
    }
    case "INTERACTIVE_REPLY":
    case "BUTTON_REPLY":
      return interactiveReply(m, content);
    case "LOCATION": {
      const loc = content.location || content;
      return h("p", { class: "text" }, `📍 ${[loc.name, loc.address].filter(Boolean).join(", ")}`,
        h("small", { class: "muted block" }, `${loc.latitude}, ${loc.longitude}`));
    }
    case "BUTTONS":
    case "LIST":
    case "CTA_URL":
    case "FLOW":
      return h("div", {}, h("small", { class: "label" }, words(m.type)), h("p", { class: "text" }, m.text || ""),
        choices(content));
    default:
      if (MEDIA.has(m.type)) return media(m, blobs);
      return h("p", { class: "text" }, m.text || words(m.type));
  }
}

/** A template send: its name, and the parameters it was given (header, body, buttons). */
function templateBody(m, t) {
  const text = (p) => (p && (p.text ?? (p.parameter && p.parameter.text) ?? p.parameter)) || null;
  const named = (p) => (p && p.name ? `${p.name}: ${text(p)}` : text(p));
  const parts = [
    t.header ? ["Header", [text(t.header)]] : null,
    t.namedHeader ? ["Header", [named(t.namedHeader)]] : null,
    Array.isArray(t.body) ? ["Body", t.body.map(text)] : null,
    Array.isArray(t.namedBody) ? ["Body", t.namedBody.map(named)] : null,
    Array.isArray(t.buttons) ? ["Buttons", t.buttons.map((b) => b.parameter)] : null,
  ].filter(Boolean).map(([k, values]) => [k, values.filter((v) => v !== null && v !== undefined)])
    .filter(([, values]) => values.length);
  const generic = `template: ${m.templateName} (${m.templateLanguage})`;
  return h("div", {},
    h("small", { class: "label" }, `Template ${m.templateName || ""} (${m.templateLanguage || ""})`),
    m.text && m.text !== generic ? h("p", { class: "text" }, m.text) : null,
    parts.length ? h("dl", { class: "answers" }, parts.map(([k, values]) => [h("dt", {}, k), h("dd", {}, values.join(" · "))]))
      : null);
}

function interactiveReply(m, content) {
  const interactive = content.interactive || {};
  const nfm = interactive.nfm_reply;
  if (nfm) {
    let answers = nfm.response_json;
    if (typeof answers === "string") {
      try { answers = JSON.parse(answers); } catch { /* shown as text */ }
    }
    return h("div", {}, h("small", { class: "label" }, "Flow completed"), answerList(answers));
  }
  return h("p", { class: "text" }, h("span", { class: "label" }, "Chose: "), m.text || "");
}

function choices(content) {
  const action = (content.buttons && content.buttons.buttons) || (content.list && content.list.sections);
  if (!Array.isArray(action)) return null;
  const labels = action.flatMap((b) => (b.rows ? b.rows.map((r) => r.title) : [b.title]));
  return h("ul", { class: "choices" }, labels.filter(Boolean).map((l) => h("li", {}, l)));
}

/** A Flow's answers: "field: value" pairs (objects per screen become nested lists). */
export function answerList(answers) {
  if (!answers || typeof answers !== "object") return h("p", { class: "text" }, String(answers ?? ""));
  const entries = Object.entries(answers).filter(([k]) => k !== "flow_token");
  if (!entries.length) return h("p", { class: "muted" }, "No answers.");
  return h("dl", { class: "answers" }, entries.map(([k, v]) => [
    h("dt", {}, k),
    h("dd", {}, v && typeof v === "object" && !Array.isArray(v) ? answerList(v)
      : Array.isArray(v) ? v.join(", ") : String(v)),
  ]));
}

function media(m, blobs) {
  const box = h("div", { class: "media" });
  const inner = (m.content && (m.content[m.type.toLowerCase()] || m.content)) || {};
  const captionText = inner.caption || (m.text || "").replace(/^[a-z]+: /, "");
  const caption = captionText && captionText !== words(m.type) ? h("p", { class: "text" }, captionText) : null;
  const show = async () => {
    box.textContent = "Loading the preview…";
    try {
      const url = await mediaUrl(m.id);
      blobs.add(url);
      box.textContent = "";
      const alt = captionText || `${words(m.type)} from the ${m.direction === "INBOUND" ? "customer" : "business"}`;
      if (m.type === "IMAGE" || m.type === "STICKER") box.append(h("img", { src: url, alt }));
      else if (m.type === "VIDEO") box.append(h("video", { src: url, controls: true, "aria-label": alt }));
      else if (m.type === "AUDIO") box.append(h("audio", { src: url, controls: true, "aria-label": alt }));
      else box.append(h("a", { href: url, download: (m.content && m.content.document && m.content.document.filename) || "document" }, "Download the document"));
    } catch (error) {
      box.textContent = "";
      box.append(h("span", { class: "muted" }, error.message));
    }
  };
  box.append(h("button", { type: "button", class: "secondary small", onclick: show },
    `Show the ${words(m.type).toLowerCase()}`));
  if (m.type === "IMAGE" || m.type === "STICKER") window.setTimeout(show, 0);
  return h("div", {}, box, caption);
}

function status(m) {
  const [tick, label] = TICKS[m.status] || ["", words(m.status)];
  const times = [["Sent", m.sentAt], ["Delivered", m.deliveredAt], ["Read", m.readAt], ["Failed", m.failedAt]]
    .filter(([, t]) => t).map(([name, t]) => `${name} ${when(t)}`).join(" · ");
  const failure = m.status === "FAILED" || m.errorCode
    ? h("p", { class: "failure", role: "note" },
      `Meta's reason: ${m.errorCode ? `(${m.errorCode}) ` : ""}${m.errorTitle || "unknown"}`,
      m.errorDetails ? ` — ${m.errorDetails}` : "")
    : null;
  return h("footer", { class: "status" },
    h("span", { class: `ticks ${m.status.toLowerCase()}`, "aria-hidden": "true" }, tick),
    h("span", { class: "status-label" }, label),
    times ? h("small", { class: "muted" }, ` · ${times}`) : null,
    failure);
}

function renderEvent(e) {
  const props = e.properties || {};
  let detail = summary(props);
  let extra = null;
  if (e.name === "session.started") {
    detail = "A new session began.";
  } else if (e.name === "flow.screen.submitted" && props.data) {
    detail = `Screen ${props.screen || "?"} submitted`;
    extra = answerList(props.data);
  } else if (e.name === "flow.started") {
    detail = `Flow ${props.flow || ""} opened`;
  } else if (e.name === "flow.screen.rejected") {
    detail = `Screen ${props.screen || "?"} refused: ${props.error || "no reason given"}`;
  } else if (e.name === "flow.completed" && props.response) {
    detail = `Flow ${props.flow || ""} completed (${props.via || "webhook"})`;
    extra = answerList(props.response);
  }
  return h("li", { class: "item event", dataset: { id: e.id, kind: "event", name: e.name } },
    h("div", { class: "event-line" },
      h("code", { class: "event-name" }, e.name),
      h("time", { datetime: e.createdAt, title: fullWhen(e.createdAt) }, when(e.createdAt)),
      h("span", { class: "muted" }, `from ${e.source}`),
      e.causedByAutomationRunId
        ? h("span", { class: "badge auto" }, `Automation run ${e.causedByAutomationRunId.slice(0, 8)}`) : null),
    detail ? h("p", { class: "event-detail" }, detail) : null,
    extra);
}
