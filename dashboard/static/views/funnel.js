// The funnel on the overview: ordered steps the person names (event names or patterns such as
// flow.*), counted per contact or per session, drawn as plain bars. Kept in localStorage.

import { gql } from "../api.js";
import { clear, empty, errorBox, field, h, loading } from "../dom.js";
import { TIME_ZONE, duration, percent, plural } from "../format.js";

const FUNNEL = `query Funnel($steps: [FunnelStepInput!]!, $since: DateTime!, $until: DateTime!,
    $window: Int!, $per: FunnelSubject!) {
  funnel(steps: $steps, since: $since, until: $until, windowSeconds: $window, per: $per) {
    name count conversionFromFirst conversionFromPrevious medianSecondsFromPrevious
  }
}`;
const NAMES = `query EventNames($since: DateTime!, $until: DateTime!, $tz: String!) {
  eventSeries(since: $since, until: $until, bucket: MONTH, timeZone: $tz, groupBy: NAME) {
    series { key total }
  }
}`;
const STORE = "wagraph.funnel";
const MAX_STEPS = 5; // what one request may cost (each step after the first adds to it)

function saved() {
  try {
    const value = JSON.parse(localStorage.getItem(STORE) || "null");
    if (value && Array.isArray(value.steps) && value.steps.length >= 2) return value;
  } catch { /* a fresh definition */ }
  return { steps: ["", ""], per: "CONTACT", windowDays: 7 };
}

export function renderFunnel(box, { since, until }) {
  const def = saved();
  const list = h("ol", { class: "steps" });
  const names = h("datalist", { id: "event-names" });
  const per = h("select", { name: "per" },
    [["CONTACT", "Contact"], ["SESSION", "Session"]].map(([v, l]) => h("option", { value: v, selected: def.per === v }, l)));
  const windowDays = h("input", { name: "windowDays", type: "number", min: "1", max: "90", value: String(def.windowDays) });
  const add = h("button", { type: "button", class: "secondary" }, "Add a step");
  const result = h("div", { class: "funnel-result", "aria-live": "polite" });
  const form = h("form", { class: "funnel-form", "aria-label": "Define a funnel" },
    h("p", { class: "muted" }, "Name 2 to 5 events in order (a * matches anything, e.g. flow.*). "
      + "Each step counts the contacts or sessions that reached it after the previous one."),
    list, names,
    h("div", { class: "row" }, add, field("Count per", per).wrap,
      field("Within (days of step 1)", windowDays).wrap),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Show the funnel")));
  const addStep = (value = "") => {
    const i = list.children.length + 1;
    const input = h("input", { name: "step", list: "event-names", value, autocomplete: "off",
      placeholder: i === 1 ? "e.g. message.sent" : "e.g. message.read", required: true });
    const remove = h("button", { type: "button", class: "secondary small", "aria-label": `Remove step ${i}` }, "Remove");
    const li = h("li", {}, field(`Step ${i} event`, input).wrap, remove);
    remove.addEventListener("click", () => {
      if (list.children.length <= 2) return;
      li.remove();
      renumber(list);
      add.disabled = false;
      list.querySelector("input").focus();
    });
    list.append(li);
    add.disabled = list.children.length >= MAX_STEPS;
    return input;
  };
  def.steps.forEach((s) => addStep(s));
  add.addEventListener("click", () => addStep().focus());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const steps = [...list.querySelectorAll("input")].map((i) => i.value.trim()).filter(Boolean);
    const value = { steps, per: per.value, windowDays: Number(windowDays.value) || 7 };
    localStorage.setItem(STORE, JSON.stringify(value));
    run(result, value, since, until);
  });
  box.append(h("h2", { id: "funnel-title" }, "Funnel"), form, result);
  gql(NAMES, { since: since.toISOString(), until: until.toISOString(), tz: TIME_ZONE })
    .then((data) => data.eventSeries.series.filter((s) => s.key)
      .forEach((s) => names.append(h("option", { value: s.key }, `${s.key} (${s.total})`))))
    .catch(() => { /* suggestions are optional */ });
  if (def.steps.filter(Boolean).length >= 2) run(result, def, since, until);
}

function renumber(list) {
  [...list.children].forEach((li, i) => {
    li.querySelector("label").textContent = `Step ${i + 1} event`;
    li.querySelector("button").setAttribute("aria-label", `Remove step ${i + 1}`);
  });
}

async function run(result, def, since, until) {
  clear(result).append(loading("Counting…"));
  try {
    const data = await gql(FUNNEL, {
      steps: def.steps.map((name) => ({ name })), since: since.toISOString(),
      until: until.toISOString(), window: Math.round(def.windowDays * 86400), per: def.per,
    });
    clear(result).append(bars(data.funnel, def.per));
  } catch (error) {
    clear(result).append(errorBox(`The funnel could not be counted: ${error.message}`));
  }
}

function bars(steps, per) {
  if (!steps.length || !steps[0].count) {
    return empty("Nobody reached the first step in this period.");
  }
  const top = steps[0].count;
  const who = per === "SESSION" ? "sessions" : "contacts";
  const many = (n) => plural(n, who.slice(0, -1));
  return h("ol", { class: "funnel", "aria-label": `Funnel, in ${who}` }, steps.map((s, i) => {
    const bar = h("span", { class: "bar" });
    bar.style.width = `${Math.max(1, (s.count / top) * 100)}%`;
    const detail = i === 0 ? `${many(s.count)} started`
      : `${many(s.count)} · ${percent(s.conversionFromFirst)} of step 1 · `
        + `${percent(s.conversionFromPrevious)} of the previous step`
        + (s.medianSecondsFromPrevious !== null ? ` · median ${duration(s.medianSecondsFromPrevious)} after it` : "");
    return h("li", { class: "funnel-step", dataset: { count: String(s.count) } },
      h("div", { class: "funnel-label" }, h("code", {}, s.name), h("span", {}, detail)),
      h("span", { class: "track", "aria-hidden": "true" }, bar));
  }));
}
