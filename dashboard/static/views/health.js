// #/health: phone numbers' quality and messaging limit, the business accounts, templates'
// statuses and category changes, and what Meta said about the account (account events).

import { gql } from "../api.js";
import { clear, empty, errorBox, h, loading } from "../dom.js";
import { summary, when, words } from "../format.js";

// Three requests: each is priced on its own (the templates and the pattern page are large).
const HEALTH = `query Health {
  phoneNumbers(first: 50) { edges { node {
    displayPhoneNumber phoneNumberId qualityRating qualityEvent messagingLimit nameDecision
    requestedName nameRejectionReason lastEventAt } } }
  businessAccounts(first: 10) { edges { node {
    wabaId reviewDecision lastAccountEvent banState banDate violationType restrictions lastEventAt } } }
  accountEvents(first: 20) { edges { node { id name properties createdAt } } }
}`;
const TEMPLATES = `query TemplateStatuses {
  templates(filter: { includeRemoved: true }) {
    id name language category status qualityScore rejectedReason removedAt
    statusDetails { event reason disableDate at } }
}`;
const TEMPLATE_EVENTS = `query TemplateChanges {
  templateEvents: events(filter: { name: "template.*" }, first: 20) {
    edges { node { id name properties createdAt } } }
}`;

export function render(root, { stale }) {
  const body = h("div", {}, loading("Loading the account's health…"));
  root.append(h("h1", {}, "Account health"), body);
  Promise.all([gql(HEALTH), gql(TEMPLATES), gql(TEMPLATE_EVENTS)]).then((parts) => {
    if (stale()) return;
    const data = Object.assign({}, ...parts);
    clear(body).append(
      section("Phone numbers", "numbers", numbers(data.phoneNumbers.edges.map((e) => e.node))),
      section("Business accounts", "accounts", accounts(data.businessAccounts.edges.map((e) => e.node))),
      section("Account events", "account-events", events(data.accountEvents.edges.map((e) => e.node),
        "Meta has not reported anything about the account or its numbers yet.")),
      section("Template changes", "template-events", events(data.templateEvents.edges.map((e) => e.node),
        "No template changes recorded yet.")),
      section("Templates", "templates", templates(data.templates)),
    );
  }).catch((error) => {
    if (!stale()) clear(body).append(errorBox(`The account's health could not be loaded: ${error.message}`));
  });
}

function section(title, id, content) {
  return h("section", { class: "card", "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), content);
}

function rating(value) {
  if (!value) return h("span", { class: "muted" }, "Not rated yet");
  const tone = { GREEN: "ok", YELLOW: "warn", RED: "bad" }[String(value).toUpperCase()] || "";
  return h("span", { class: `badge ${tone}` }, words(value));
}

function table(headers, rows) {
  return h("div", { class: "scroll" }, h("table", {},
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}

function numbers(list) {
  if (!list.length) return empty("Meta has not reported on any phone number yet (quality, limits, name review).");
  return table(["Number", "Quality", "Messaging limit", "Display name", "Last heard"], list.map((n) =>
    h("tr", {}, h("th", { scope: "row" }, `+${n.displayPhoneNumber}`, h("small", { class: "muted block" }, n.phoneNumberId || "")),
      h("td", {}, rating(n.qualityRating), n.qualityEvent ? h("small", { class: "muted block" }, words(n.qualityEvent)) : null),
      h("td", {}, n.messagingLimit ? words(n.messagingLimit) : "—"),
      h("td", {}, n.requestedName || "—", n.nameDecision ? h("small", { class: "muted block" },
        `${words(n.nameDecision)}${n.nameRejectionReason ? `: ${n.nameRejectionReason}` : ""}`) : null),
      h("td", {}, when(n.lastEventAt)))));
}

function accounts(list) {
  if (!list.length) return empty("Meta has not reported on the business account yet.");
  return table(["Account", "Review", "Last event", "Ban", "Violation", "Restrictions"], list.map((a) =>
    h("tr", {}, h("th", { scope: "row" }, a.wabaId), h("td", {}, words(a.reviewDecision) || "—"),
      h("td", {}, words(a.lastAccountEvent) || "—", h("small", { class: "muted block" }, when(a.lastEventAt))),
      h("td", {}, a.banState ? `${a.banState}${a.banDate ? ` (${a.banDate})` : ""}` : "None"),
      h("td", {}, a.violationType || "None"),
      h("td", {}, Array.isArray(a.restrictions) && a.restrictions.length
        ? a.restrictions.map((r) => summary(r)).join("; ") : "None"))));
}

function templates(list) {
  if (!list.length) return empty("No templates synced yet.");
  const tone = { APPROVED: "ok", PENDING: "", REJECTED: "bad", PAUSED: "warn", DISABLED: "bad", DELETED: "" };
  return table(["Template", "Category", "Status", "Quality", "Why"], list.map((t) =>
    h("tr", { dataset: { template: t.name } }, h("th", { scope: "row" }, t.name, h("small", { class: "muted block" }, t.language)),
      h("td", {}, words(t.category) || "—"),
      h("td", {}, h("span", { class: `badge ${tone[t.status] || ""}` }, words(t.status))),
      h("td", {}, t.qualityScore ? rating(t.qualityScore) : "—"),
      h("td", {}, t.statusDetails ? `${words(t.statusDetails.event)}${t.statusDetails.reason ? `: ${t.statusDetails.reason}` : ""}`
        : t.rejectedReason && t.rejectedReason !== "NONE" ? t.rejectedReason : "—"))));
}

function events(list, none) {
  if (!list.length) return empty(none);
  return h("ol", { class: "events" }, list.map((e) => h("li", {},
    h("code", {}, e.name), " ", h("time", { datetime: e.createdAt }, when(e.createdAt)),
    h("p", { class: "event-detail" }, summary(e.properties, 8)))));
}
