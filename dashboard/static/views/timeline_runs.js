// A session's automation runs (automationRuns(sessionId), newest first), placed in the timeline
// by time among its messages and events, and refreshed while one is still waiting or running.

import { gql } from "../api.js";
import { announce, h } from "../dom.js";
import { fullWhen, when, words } from "../format.js";

const RUN = "id automationId automation { name } status eventId eventName results error startedAt finishedAt durationMs createdAt";
// A request of its own: a filtered page of 50 costs about half of what a request may (10,000),
// the timeline's page the other half.
const RUNS = `query SessionRuns($id: ID!, $first: Int, $after: String) {
  automationRuns(sessionId: $id, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${RUN} } }
  }
}`;
const PAGE = 50;
const MAX_PAGES = 10; // 500 runs: the oldest beyond them are left out, and the note says so
const UNFINISHED = new Set(["PENDING", "RUNNING"]);
const POLL_MS = [1000, 2000, 3000, 5000, 8000, 13000, 20000, 30000];

/** The moment an item sits at in the timeline (its createdAt, as the server orders it). */
export const at = (node) => Date.parse(node.createdAt) || 0;

/** Into the timeline before the first entry later than `moment` (at equal times: after it);
usually that is the end, so the search starts there. */
export function placeByTime(list, el, moment) {
  el.dataset.at = String(moment);
  let next = null;
  for (let li = list.lastElementChild; li && Number(li.dataset.at) > moment; li = li.previousElementSibling) {
    next = li;
  }
  list.insertBefore(el, next);
}

/** A change to the timeline that keeps it scrolled to the end when it was (a reader further up
stays where they are). */
export function keepingBottom(list, change) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  change();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

export class SessionRuns {
  /** `list`: the timeline's <ol>; `horizon()`: the latest moment its loaded pages cover. */
  constructor(sessionId, list, horizon, note) {
    this.id = sessionId;
    this.list = list;
    this.horizon = horizon;
    this.note = note;
    this.shown = new Map();
    this.waiting = new Map(); // beyond the loaded pages: shown once a later page comes
    this.names = new Map();
    this.polls = 0;
    this.stopped = false;
  }

  /** Every run of the session (up to MAX_PAGES pages). */
  async load() {
    try {
      let after = null;
      const runs = [];
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const data = await this.fetch(after);
        if (this.stopped) return;
        runs.push(...data.edges.map((e) => e.node));
        if (!data.pageInfo.hasNextPage) {
          this.say("");
          break;
        }
        after = data.pageInfo.endCursor;
        if (page === MAX_PAGES - 1) {
          this.say(`Showing the latest ${PAGE * MAX_PAGES} of ${data.totalCount} automation runs.`);
        }
      }
      runs.reverse().forEach((run) => this.put(run, false)); // oldest first: ties keep their order
      this.pollIfUnfinished();
    } catch (error) {
      this.say(`Automation runs could not be loaded: ${error.message}`);
    }
  }

  /** After a live update: the newest page again (a new run, or one that finished). */
  soon() {
    this.polls = 0;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.refresh(), 250);
  }

  async refresh() {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      const data = await this.fetch(null);
      if (this.stopped) return;
      data.edges.map((e) => e.node).reverse().forEach((run) => this.put(run, true));
      this.pollIfUnfinished();
    } catch (error) {
      this.say(`Automation runs could not be refreshed: ${error.message}`);
    } finally {
      this.busy = false;
      if (this.again && !this.stopped) {
        this.again = false;
        this.refresh();
      }
    }
  }

  async fetch(after) {
    const data = await gql(RUNS, { id: this.id, first: PAGE, after });
    data.automationRuns.edges.forEach(({ node }) => {
      if (node.automation) this.names.set(node.automationId, node.automation.name);
    });
    return data.automationRuns;
  }

  /** A run still waiting or running has no event to announce its end: ask again, slower. */
  pollIfUnfinished() {
    const open = [...this.shown.values(), ...this.waiting.values()]
      .some((r) => UNFINISHED.has(r.run ? r.run.status : r.status));
    if (!open || this.polls >= POLL_MS.length) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.refresh(), POLL_MS[this.polls]);
    this.polls += 1;
  }

  put(run, live) {
    const known = this.shown.get(run.id);
    if (known) {
      if (known.run.status === run.status && known.run.finishedAt === run.finishedAt) return;
      const el = renderRun(run, this.names.get(run.automationId));
      keepingBottom(this.list, () => known.el.replaceWith(el));
      this.shown.set(run.id, { run, el });
      if (live) this.tell(run);
      return;
    }
    if (at(run) > this.horizon()) {
      this.waiting.set(run.id, run);
      return;
    }
    this.waiting.delete(run.id);
    const el = renderRun(run, this.names.get(run.automationId));
    this.place(el, at(run));
    this.shown.set(run.id, { run, el });
    if (live) this.tell(run);
  }

  /** After the timeline loaded a later page: the runs it now covers. */
  reveal() {
    [...this.waiting.values()].forEach((run) => this.put(run, false));
  }

  place(el, moment) {
    keepingBottom(this.list, () => placeByTime(this.list, el, moment));
  }

  /** Said to screen readers once a run is over (not while it waits: the message came first). */
  tell(run) {
    if (!UNFINISHED.has(run.status)) announce(`Automation ${this.name(run)}: ${words(run.status).toLowerCase()}`);
  }

  name(run) {
    return this.names.get(run.automationId) || `${run.automationId.slice(0, 8)} (deleted)`;
  }

  say(text) {
    this.note.hidden = !text;
    this.note.textContent = text;
  }

  stop() {
    this.stopped = true;
    window.clearTimeout(this.timer);
  }
}

const OUTCOME = {
  SUCCEEDED: "ran:", FAILED: "ran:", SKIPPED: "was", PENDING: "is", RUNNING: "is",
};

/** "Automation “Tag customers” ran: Succeeded", its time and event, each action's result. */
export function renderRun(run, name) {
  const status = run.status;
  return h("li", { class: "item event run", dataset: { id: run.id, kind: "run", status } },
    h("p", { class: "run-line" },
      h("span", { "aria-hidden": "true" }, "⚙ "), "Automation ",
      h("strong", { class: "run-name" }, name ? `“${name}”` : `${run.automationId.slice(0, 8)} (deleted)`),
      ` ${OUTCOME[status] || "is"} `,
      h("span", { class: `badge run-${status.toLowerCase()}` }, words(status))),
    h("p", { class: "event-line muted" },
      h("time", { datetime: run.createdAt, title: fullWhen(run.createdAt) }, when(run.createdAt)),
      run.eventName ? h("span", {}, "on ", h("code", {}, run.eventName)) : null,
      run.durationMs !== null && run.durationMs !== undefined ? h("span", {}, `${run.durationMs} ms`) : null),
    run.error ? h("p", { class: "run-error" }, `${status === "SKIPPED" ? "Why" : "Error"}: ${run.error}`) : null,
    results(run.results, run.error));
}

function results(list, runError) {
  if (!Array.isArray(list) || !list.length) return null;
  return h("ul", { class: "run-results", "aria-label": "What each action did" },
    list.map((entry, i) => {
      const outcome = entry.skipped ? "skipped" : entry.ok ? "done" : "failed";
      const detail = describe(withoutRepeat(entry.detail, runError));
      return h("li", { class: `run-${outcome}` },
        `${i + 1}. ${entry.type || "?"}: ${outcome}${detail ? ` (${detail})` : ""}`);
    }));
}

/** The detail without its error when the run's error already says it. */
function withoutRepeat(detail, runError) {
  if (!detail || typeof detail !== "object" || !detail.error || !runError) return detail;
  if (!String(runError).includes(String(detail.error))) return detail;
  const rest = { ...detail };
  delete rest.error;
  return rest;
}

/** An action's detail in a line: "contactTags: waiting, vip". */
function describe(value, depth = 0) {
  if (value === null || value === undefined || value === "") return "";
  if (Array.isArray(value)) return value.map((v) => describe(v, depth + 1)).join(", ");
  if (typeof value !== "object") return String(value);
  if (depth > 1) return JSON.stringify(value);
  const text = Object.entries(value)
    .map(([k, v]) => [k, describe(v, depth + 1)])
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}: ${v}`)
    .join(depth ? ", " : "; ");
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}
