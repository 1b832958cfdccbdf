// #/overview: messages per day by status, delivery and read rates, top failure codes, a funnel
// the person defines, Flow completion — all in the browser's time zone.

import { gql } from "../api.js";
import { COLORS, chart } from "../charts.js";
import { clear, empty, errorBox, field, h, loading } from "../dom.js";
import { TIME_ZONE, count, duration, localDay, percent } from "../format.js";
import { renderFunnel } from "./funnel.js";

const STATS = `query Delivery($since: DateTime!, $until: DateTime!, $tz: String!) {
  stats: messageStats(since: $since, until: $until, groupBy: DAY, timeZone: $tz) {
    totals { total sent delivered read failed deliveryRate readRate failureRate }
    groups { key total sent delivered read failed }
    failures { code title count }
    medianSecondsToDelivered medianSecondsToRead
  }
}`;
const FLOWS = `query Flows($since: DateTime!, $until: DateTime!) {
  flows: flowStats(since: $since, until: $until, top: 3) {
    flow started completed abandoned active completionRate
    answers { screen field answered top { value count } }
  }
}`;
const PERIODS = [["7", "Last 7 days"], ["30", "Last 30 days"], ["90", "Last 90 days"]];

/** [since, until) from local midnight `days - 1` days ago to the next local midnight. */
export function range(days) {
  const since = new Date();
  since.setHours(0, 0, 0, 0);
  since.setDate(since.getDate() - (days - 1));
  const until = new Date();
  until.setHours(24, 0, 0, 0);
  return { since, until };
}

export function render(root, { route, navigate, stale }) {
  const days = PERIODS.some(([d]) => d === route.query.get("days")) ? Number(route.query.get("days")) : 7;
  const charts = [];
  const period = h("select", { name: "days" },
    PERIODS.map(([d, label]) => h("option", { value: d, selected: Number(d) === days }, label)));
  period.addEventListener("change", () => navigate(`#/overview?days=${period.value}`));
  const body = h("div", { class: "overview" }, loading("Loading the figures…"));
  const funnelBox = h("section", { class: "card", "aria-labelledby": "funnel-title" });
  root.append(
    h("h1", {}, "Overview"),
    h("div", { class: "toolbar" }, field("Period", period).wrap,
      h("p", { class: "muted" }, `Days are counted in your time zone, ${TIME_ZONE}.`)),
    body, funnelBox);
  const { since, until } = range(days);
  renderFunnel(funnelBox, { since, until });
  const span = { since: since.toISOString(), until: until.toISOString() };
  Promise.all([gql(STATS, { ...span, tz: TIME_ZONE }), gql(FLOWS, span)])
    .then(([delivery, flows]) => {
      const data = { ...delivery, ...flows };
      if (stale()) return;
      clear(body).append(...sections(data, since, days, charts));
    })
    .catch((error) => {
      if (!stale()) clear(body).append(errorBox(`The figures could not be loaded: ${error.message}`));
    });
  return () => charts.forEach((c) => c.then((made) => made && made.destroy()));
}

function sections(data, since, days, charts) {
  const { stats, flows } = data;
  return [
    h("section", { class: "card", "aria-labelledby": "delivery-title" },
      h("h2", { id: "delivery-title" }, "Delivery"), tiles(stats)),
    h("section", { class: "card", "aria-labelledby": "per-day-title" },
      h("h2", { id: "per-day-title" }, "Messages sent per day, by status"),
      stats.totals.total ? perDay(stats, since, days, charts) : empty("No messages were sent in this period.")),
    h("section", { class: "card", "aria-labelledby": "failures-title" },
      h("h2", { id: "failures-title" }, "Top failure codes"), failures(stats.failures)),
    h("section", { class: "card", "aria-labelledby": "flows-title" },
      h("h2", { id: "flows-title" }, "Flow completion"), flowSection(flows, charts)),
  ];
}

function tiles(stats) {
  const t = stats.totals;
  const items = [
    ["Sent", count(t.sent)], ["Delivered", count(t.delivered)], ["Read", count(t.read)],
    ["Failed", count(t.failed)], ["Delivery rate", percent(t.deliveryRate)],
    ["Read rate", percent(t.readRate)], ["Failure rate", percent(t.failureRate)],
    ["Median time to delivery", duration(stats.medianSecondsToDelivered)],
    ["Median time to read", duration(stats.medianSecondsToRead)],
  ];
  return h("dl", { class: "tiles" }, items.map(([k, v]) => h("div", { class: "tile" }, h("dt", {}, k), h("dd", {}, v))));
}

/** One row per local day (days without messages too), split into exclusive statuses. */
function dayRows(stats, since, days) {
  const byDay = new Map(stats.groups.map((g) => [g.key, g]));
  const rows = [];
  for (let i = 0; i < days; i += 1) {
    const day = new Date(since);
    day.setDate(since.getDate() + i);
    day.setHours(12);
    const key = localDay(day);
    const g = byDay.get(key) || { total: 0, sent: 0, delivered: 0, read: 0, failed: 0 };
    // A message sent and failed later counts in both `sent` and `failed`: it is drawn once.
    const sentOnly = Math.max(0, Math.min(g.sent - g.delivered, g.total - g.delivered - g.failed));
    rows.push({
      key, total: g.total, read: g.read, delivered: Math.max(0, g.delivered - g.read),
      sent: sentOnly, failed: g.failed,
      other: Math.max(0, g.total - g.delivered - g.failed - sentOnly),
    });
  }
  return rows;
}

const STATUS_SERIES = [["read", "Read"], ["delivered", "Delivered, not read"],
  ["sent", "Sent, not delivered"], ["failed", "Failed"], ["other", "Not sent yet"]];

function perDay(stats, since, days, charts) {
  const rows = dayRows(stats, since, days);
  const canvas = h("canvas", { role: "img",
    "aria-label": `Messages per day for ${days} days: ${count(stats.totals.total)} in all; the table below has the figures.` });
  charts.push(chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((r) => r.key.slice(5)),
      datasets: STATUS_SERIES.map(([k, label]) => ({ label, data: rows.map((r) => r[k]), backgroundColor: COLORS[k] })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  }).catch(() => null));
  return h("div", {},
    h("div", { class: "chart" }, canvas),
    h("details", {}, h("summary", {}, "The figures as a table"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Day"),
        STATUS_SERIES.map(([, label]) => h("th", { scope: "col" }, label)), h("th", { scope: "col" }, "Total"))),
      h("tbody", {}, rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.key),
        STATUS_SERIES.map(([k]) => h("td", {}, count(r[k]))), h("td", {}, count(r.total))))))));
}

function failures(list) {
  if (!list.length) return empty("No failed messages in this period.");
  return h("table", { class: "failures" },
    h("thead", {}, h("tr", {}, ["Meta's code", "Meaning", "Messages"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, list.map((f) => h("tr", {}, h("td", {}, String(f.code)), h("td", {}, f.title || "—"),
      h("td", {}, count(f.count))))));
}

function flowSection(flows, charts) {
  if (!flows.length) return empty("No Flow journeys started in this period.");
  const canvas = h("canvas", { role: "img", "aria-label": "Flow journeys by outcome; the table below has the figures." });
  charts.push(chart(canvas, {
    type: "bar",
    data: {
      labels: flows.map((f) => f.flow),
      datasets: [["completed", "Completed"], ["active", "Still going"], ["abandoned", "Abandoned"]]
        .map(([k, label]) => ({ label, data: flows.map((f) => f[k]), backgroundColor: COLORS[k] })),
    },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
  }).catch(() => null));
  return h("div", {},
    h("div", { class: "chart short" }, canvas),
    h("table", {}, h("thead", {}, h("tr", {}, ["Flow", "Started", "Completed", "Abandoned", "Still going", "Completion"]
      .map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, flows.map((f) => h("tr", {}, h("th", { scope: "row" }, f.flow),
      [f.started, f.completed, f.abandoned, f.active].map((n) => h("td", {}, count(n))),
      h("td", {}, percent(f.completionRate)))))),
    flows.filter((f) => f.answers.length).map((f) => h("details", {},
      h("summary", {}, `What customers answered in ${f.flow}`),
      h("ul", { class: "answers-top" }, f.answers.map((a) => h("li", {},
        h("strong", {}, `${a.screen} › ${a.field}`), ` (${count(a.answered)} answered): `,
        a.top.map((t) => `${t.value} (${t.count})`).join(", ")))))));
}
