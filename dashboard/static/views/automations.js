// #/automations: each automation with its switch (setAutomationEnabled), its figures for the
// last 7 days and its recent runs with their errors.

import { gql } from "../api.js";
import { announce, append, clear, empty, errorBox, h, loading } from "../dom.js";
import { count, duration, percent, plural, when, words } from "../format.js";
import { errorText } from "./field_errors.js";

// Separate requests: each is priced on its own (an aggregate alone nearly fills a request).
const LIST = `query Automations {
  automations { id name description trigger enabled cooldownSeconds conditions { path op value } actions }
}`;
const STATS = `query AutomationFigures($since: DateTime!, $until: DateTime!) {
  automationStats(since: $since, until: $until) { automationId runs errorRate medianDurationMs }
}`;
const RUN = "id automationId status eventName error createdAt durationMs contactWaId";
const LATEST_RUNS = `query LatestRuns { automationRuns(first: 100) { edges { node { ${RUN} } } } }`;
const RUNS_OF = `query RunsOf($id: ID!) {
  automationRuns(automationId: $id, first: 5) { totalCount edges { node { ${RUN} } } }
}`;
const SWITCH = `mutation Switch($id: ID!, $enabled: Boolean!) {
  setAutomationEnabled(id: $id, enabled: $enabled) { automation { id enabled } errors { code field message } }
}`;
const SHOWN_RUNS = 5;

export function render(root, { stale }) {
  const body = h("div", {}, loading("Loading the automations…"));
  root.append(h("h1", {}, "Automations"), body);
  load(body, stale);
}

async function load(body, stale) {
  const until = new Date();
  const since = new Date(until.getTime() - 7 * 86400 * 1000);
  try {
    const [data, figures] = await Promise.all([
      gql(LIST),
      gql(STATS, { since: since.toISOString(), until: until.toISOString() })
        .catch(() => ({ automationStats: [] })),
    ]);
    if (stale()) return;
    clear(body);
    if (!data.automations.length) {
      body.append(empty("No automations yet: create one with the createAutomation mutation."));
      return;
    }
    const stats = new Map(figures.automationStats.map((s) => [s.automationId, s]));
    const cards = data.automations.map((a) => card(a, stats.get(a.id)));
    body.append(h("ul", { class: "automations" }, cards.map((c) => c.li)));
    await loadRuns(data.automations, cards);
  } catch (error) {
    if (!stale()) clear(body).append(errorBox(`The automations could not be loaded: ${error.message}`));
  }
}

function card(a, stats) {
  const runs = h("div", { class: "runs" }, loading("Loading recent runs…"));
  const titleId = `automation-${a.id}`;
  const li = h("li", { class: "card automation", dataset: { id: a.id } },
    h("div", { class: "automation-head" },
      h("h2", { id: titleId }, a.name),
      toggle(a, titleId)),
    a.description ? h("p", {}, a.description) : null,
    h("dl", { class: "facts" },
      h("dt", {}, "When"), h("dd", {}, h("code", {}, a.trigger),
        a.conditions.length ? ` if ${a.conditions.map((c) => `${c.path} ${c.op.toLowerCase()}${c.value !== null && c.value !== undefined ? ` ${JSON.stringify(c.value)}` : ""}`).join(" and ")}` : ""),
      h("dt", {}, "Then"), h("dd", {}, a.actions.map((x) => (x && x.type) || "?").join(", then ")),
      h("dt", {}, "Cooldown"), h("dd", {}, a.cooldownSeconds ? `${duration(a.cooldownSeconds)} per contact` : "None"),
      h("dt", {}, "Last 7 days"), h("dd", {}, stats
        ? `${plural(stats.runs, "run")} · error rate ${percent(stats.errorRate)} · median ${stats.medianDurationMs === null ? "—" : `${Math.round(stats.medianDurationMs)} ms`}`
        : "No runs")),
    h("h3", {}, "Recent runs"), runs);
  return { li, runs, automation: a };
}

function toggle(a, titleId) {
  const button = h("button", { type: "button", role: "switch", class: "switch",
    "aria-checked": String(a.enabled), "aria-labelledby": titleId });
  const state = h("span", { id: `${titleId}-state`, class: "switch-text" }, a.enabled ? "Enabled" : "Disabled");
  const problem = h("p", { class: "field-error", role: "alert", hidden: true });
  button.append(h("span", { class: "knob", "aria-hidden": "true" }));
  button.addEventListener("click", async () => {
    const enabled = button.getAttribute("aria-checked") !== "true";
    button.disabled = true;
    problem.hidden = true;
    try {
      const { setAutomationEnabled: result } = await gql(SWITCH, { id: a.id, enabled });
      if (result.errors.length) throw new Error(result.errors.map(errorText).join("; "));
      const now = result.automation.enabled;
      button.setAttribute("aria-checked", String(now));
      state.textContent = now ? "Enabled" : "Disabled";
      announce(`${a.name} is ${now ? "enabled" : "disabled"}.`);
    } catch (error) {
      problem.hidden = false;
      problem.textContent = `Not switched: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "switch-box" }, button, state, problem);
}

/** The latest 100 runs, shared out; an automation with none among them gets a button that
asks for its own (a filtered page costs as much as a whole request may, so not all at once). */
async function loadRuns(automations, cards) {
  let latest;
  try {
    latest = (await gql(LATEST_RUNS)).automationRuns.edges.map((e) => e.node);
  } catch (error) {
    cards.forEach((c) => clear(c.runs).append(errorBox(`Runs could not be loaded: ${error.message}`)));
    return;
  }
  for (const c of cards) {
    const mine = latest.filter((r) => r.automationId === c.automation.id);
    if (mine.length) {
      showRuns(c.runs, { edges: mine.slice(0, SHOWN_RUNS).map((node) => ({ node })), totalCount: null });
    } else {
      clear(c.runs).append(h("button", { type: "button", class: "secondary small",
        onclick: () => loadRunsOf(c) }, "Show its recent runs"));
    }
  }
}

async function loadRunsOf(c) {
  clear(c.runs).append(loading("Loading recent runs…"));
  try {
    showRuns(c.runs, (await gql(RUNS_OF, { id: c.automation.id })).automationRuns);
  } catch (error) {
    clear(c.runs).append(errorBox(`Runs could not be loaded: ${error.message}`));
  }
}

function showRuns(box, runs) {
  clear(box);
  if (!runs.edges.length) {
    box.append(empty("It has not run yet."));
    return;
  }
  append(box, [h("table", { class: "runs-table" },
    h("thead", {}, h("tr", {}, ["When", "Event", "Contact", "Outcome"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, runs.edges.map(({ node: r }) => h("tr", { dataset: { status: r.status } },
      h("td", {}, when(r.createdAt)), h("td", {}, h("code", {}, r.eventName || "—")),
      h("td", {}, r.contactWaId ? `+${r.contactWaId}` : "—"),
      h("td", {}, h("span", { class: `badge run-${r.status.toLowerCase()}` }, words(r.status)),
        r.durationMs !== null ? ` ${r.durationMs} ms` : "",
        r.error ? h("span", { class: "run-error block" }, r.error) : null))))),
    runs.totalCount !== null && runs.totalCount > runs.edges.length
      ? h("p", { class: "muted" }, `${count(runs.totalCount)} runs in all.`) : null]);
}

