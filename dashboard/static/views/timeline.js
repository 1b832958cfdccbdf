// #/sessions/<id>: one session's timeline (messages, events and the automation runs they
// triggered), oldest first, paged, live over graphql-transport-ws, with the reply box beside it.

import { gql } from "../api.js";
import { announce, append, clear, empty, errorBox, h, loading } from "../dom.js";
import { EVENT, MESSAGE, SESSION_HEAD } from "../fragments.js";
import { contactDetails, contactName, when, windowText, words } from "../format.js";
import { renderReply } from "./reply.js";
import { flowPanel } from "./flow_panel.js";
import { isStatusEvent, renderItem } from "./timeline_items.js";
import { SessionRuns, at, keepingBottom, placeByTime } from "./timeline_runs.js";
import { tags } from "./sessions.js";

const PAGE = 50;
const ITEM = `__typename ... on Message { ${MESSAGE} } ... on Event { ${EVENT} }`;
const SESSION = `query Session($id: ID!, $first: Int, $after: String) {
  session(id: $id) {
    ${SESSION_HEAD}
    timeline(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { ${ITEM} } }
    }
  }
}`;
const HEAD = `query SessionHead($id: ID!) { session(id: $id) { ${SESSION_HEAD} } }`;
const LIVE_TIMELINE = `subscription Timeline($id: ID!) {
  sessionTimeline(sessionId: $id) { missed event { __typename ${EVENT} } message { __typename ${MESSAGE} } }
}`;
const LIVE_MESSAGES = `subscription Messages($id: ID!) {
  messageUpdated(filter: { sessionId: $id }) { missed change message { __typename ${MESSAGE} } }
}`;

export function render(root, { route, live, stale }) {
  const view = new TimelineView(root, route.id, stale);
  view.start(live);
  return () => view.stop();
}

class TimelineView {
  constructor(root, id, stale) {
    this.root = root;
    this.id = id;
    this.stale = stale;
    this.items = new Map();
    this.blobs = new Set();
    this.cursor = null;
    this.atEnd = false;
    this.lastAt = -Infinity;
    this.showAll = false;
    this.unsubscribe = [];
  }

  async start(live) {
    this.root.append(h("h1", {}, "Session"), loading("Loading the timeline…"));
    try {
      const data = await gql(SESSION, { id: this.id, first: PAGE });
      if (this.stale()) return;
      if (!data.session) {
        clear(this.root).append(h("h1", {}, "Session not found"),
          errorBox("No session has this id. It may have been deleted."),
          h("p", {}, h("a", { href: "#/sessions" }, "Back to the sessions")));
        return;
      }
      this.session = data.session;
      this.layout();
      this.page(data.session.timeline);
      this.subscribe(live);
    } catch (error) {
      if (this.stale()) return;
      clear(this.root).append(h("h1", {}, "Session"),
        errorBox(`The timeline could not be loaded: ${error.message}`));
    }
  }

  stop() {
    this.unsubscribe.forEach((fn) => fn());
    if (this.runs) this.runs.stop();
    this.blobs.forEach((url) => URL.revokeObjectURL(url));
    window.clearInterval(this.timer);
  }

  layout() {
    const s = this.session;
    this.head = h("section", { class: "session-head card", "aria-label": "About this session" });
    this.flowBox = h("div", { class: "card flow-box", hidden: true });
    this.list = h("ol", { class: "timeline", "aria-label": "Timeline, oldest first", tabindex: "0" });
    this.more = h("div", { class: "more" });
    this.liveErrors = h("p", { class: "error", role: "alert", hidden: true });
    const runsNote = h("p", { class: "notice", role: "status", hidden: true });
    this.runs = new SessionRuns(this.id, this.list, () => (this.atEnd ? Infinity : this.lastAt), runsNote);
    const toggle = h("input", { type: "checkbox", id: "show-all-events" });
    toggle.addEventListener("change", () => {
      this.showAll = toggle.checked;
      this.list.classList.toggle("all-events", this.showAll);
    });
    this.reply = h("section", { class: "reply card", "aria-labelledby": "reply-title" });
    clear(this.root).append(
      h("p", { class: "crumbs" }, h("a", { href: "#/sessions" }, "← Sessions")),
      h("h1", {}, contactName(s.contact)),
      h("div", { class: "session-page" },
        h("section", { class: "timeline-box", "aria-labelledby": "timeline-title" },
          h("div", { class: "timeline-bar" },
            h("h2", { id: "timeline-title" }, "Timeline"),
            h("div", { class: "check" }, toggle,
              h("label", { for: "show-all-events" }, "Show message status events"))),
          this.liveErrors, runsNote, this.list, this.more),
        h("div", { class: "side" }, this.head, this.flowBox, this.reply)),
    );
    this.renderHead();
    this.renderFlow();
    this.renderReply();
    this.timer = window.setInterval(() => this.renderHead(), 30000);
    this.runs.load();
  }

  renderHead() {
    const s = this.session;
    const rows = [
      ["Contact", contactDetails(s.contact) || "—"],
      ["Status", `${words(s.status)}${s.completedAt ? `, ${when(s.completedAt)}` : ""}`],
      ["24-hour window", windowText(s.windowOpen, s.windowExpiresAt)],
      ["Started", when(s.startedAt)],
    ];
    if (s.flow) rows.push(["Flow", s.flow]);
    append(clear(this.head), [
      h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", { dataset: { fact: k } }, v)]),
        h("dt", {}, "Tags"), h("dd", {}, tags(s.tags))),
    ]);
  }

  /** The Flow's answers (redrawn only when they changed: a reader may have opened its steps). */
  renderFlow() {
    const s = this.session;
    const drawn = JSON.stringify([s.flow, s.flowState]);
    if (drawn === this.flowDrawn) return;
    this.flowDrawn = drawn;
    const opened = this.flowBox.querySelector("details[open]");
    const panel = flowPanel(s.flow, s.flowState);
    clear(this.flowBox).hidden = !panel;
    if (!panel) return;
    this.flowBox.append(panel);
    const details = panel.querySelector("details");
    if (opened && details) details.open = true;
  }

  renderReply() {
    clear(this.reply);
    renderReply(this.reply, this.session, { onSent: (message) => this.upsert(message, true) });
  }

  page(timeline) {
    for (const edge of timeline.edges) {
      this.upsert(edge.node, false);
      this.lastAt = Math.max(this.lastAt, at(edge.node));
    }
    this.cursor = timeline.pageInfo.endCursor || this.cursor;
    this.atEnd = !timeline.pageInfo.hasNextPage;
    this.runs.reveal();
    clear(this.more);
    if (!this.items.size) this.more.append(empty("Nothing in this session yet."));
    if (!this.atEnd) {
      this.more.append(h("button", { type: "button", class: "secondary", onclick: () => this.next() },
        "Load later entries"));
    }
  }

  async next() {
    clear(this.more).append(loading("Loading later entries…"));
    try {
      const data = await gql(SESSION, { id: this.id, first: PAGE, after: this.cursor });
      if (data.session) this.page(data.session.timeline);
    } catch (error) {
      clear(this.more).append(errorBox(`Later entries could not be loaded: ${error.message}`));
    }
  }

  /** Add an entry, or redraw it in place when it is already shown (a status changed). */
  upsert(node, live) {
    if (!node || !node.id) return;
    const known = this.items.get(node.id);
    if (!known && live && !this.atEnd) return; // a later page will bring it
    const el = renderItem(node, this.blobs);
    if (isStatusEvent(node)) el.classList.add("status-event");
    if (known) {
      el.dataset.at = known.el.dataset.at;
      keepingBottom(this.list, () => known.el.replaceWith(el));
    } else {
      const list = this.list;
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      const emptyNote = this.more.querySelector(".empty");
      if (emptyNote) emptyNote.remove();
      placeByTime(list, el, at(node));
      if (atBottom || !live) list.scrollTop = list.scrollHeight;
    }
    this.items.set(node.id, { node, el });
    if (live) liveNotice(node, known);
  }

  subscribe(live) {
    const handlers = (pick) => ({
      next: (data) => this.update(pick(data)),
      error: (message) => {
        this.liveErrors.hidden = false;
        this.liveErrors.textContent = `Live updates stopped: ${message}`;
      },
      resync: () => this.resync(),
    });
    this.unsubscribe.push(
      live.subscribe(LIVE_TIMELINE, { id: this.id }, handlers((d) => d.sessionTimeline)),
      live.subscribe(LIVE_MESSAGES, { id: this.id }, handlers((d) => d.messageUpdated)),
    );
  }

  update(update) {
    if (!update) return;
    if (update.missed > 0) {
      this.resync();
      return;
    }
    if (update.message) this.upsert(update.message, true);
    if (update.event) {
      this.upsert(update.event, true);
      this.runs.soon(); // the event may have triggered automations
      if (update.event.name.startsWith("flow.")) this.refreshHead();
    }
    if (update.message && update.message.direction === "INBOUND") this.refreshHead();
  }

  /** After a gap (reconnection, dropped updates): read the timeline again, and the head. */
  async resync() {
    try {
      let after = null;
      for (let pages = 0; pages < 20; pages += 1) {
        const data = await gql(SESSION, { id: this.id, first: PAGE, after });
        if (this.stale() || !data.session) return;
        this.page(data.session.timeline);
        if (this.atEnd) break;
        after = data.session.timeline.pageInfo.endCursor;
      }
      this.refreshHead();
      this.runs.load();
    } catch (error) {
      this.liveErrors.hidden = false;
      this.liveErrors.textContent = `Could not catch up after a gap: ${error.message}`;
    }
  }

  async refreshHead() {
    try {
      const data = await gql(HEAD, { id: this.id });
      if (!data.session || this.stale()) return;
      const wasOpen = this.session.windowOpen;
      this.session = { ...this.session, ...data.session };
      this.renderHead();
      this.renderFlow();
      if (wasOpen !== this.session.windowOpen) this.renderReply();
    } catch { /* the head stays as it was */ }
  }
}

function liveNotice(node, known) {
  if (node.__typename === "Message") {
    if (!known) announce(node.direction === "INBOUND" ? `New message: ${node.text || words(node.type)}` : "Message sent");
    else if (known.node.status !== node.status) announce(`Message ${words(node.status).toLowerCase()}`);
  } else if (!known && !isStatusEvent(node)) {
    announce(`New event: ${node.name}`);
  }
}
