// The sessions' search and filters, kept in the address (#/sessions?q=…&status=…) so Back works.

import { field, h } from "../dom.js";

const STATUSES = ["ACTIVE", "COMPLETED", "EXPIRED", "CANCELLED"];
const FILTERS = ["status", "tag", "window", "flow", "since"];
const KEYS = ["q", ...FILTERS];
const WIDE = "(min-width: 761px)"; // style.css's phone layout is max-width: 760px

/** The address's query → {search, filter (a SessionFilter), values, active}. */
export function readFilter(query) {
  const values = Object.fromEntries(KEYS.map((k) => [k, (query.get(k) || "").trim()]));
  const filter = {};
  if (STATUSES.includes(values.status)) filter.status = [values.status];
  if (values.tag) filter.tag = values.tag;
  if (values.window === "open") filter.windowOpen = true;
  if (values.window === "closed") filter.windowOpen = false;
  if (values.flow) filter.flow = values.flow;
  if (values.since) {
    const since = new Date(values.since);
    if (!Number.isNaN(since.getTime())) filter.updatedSince = since.toISOString();
  }
  const active = KEYS.some((k) => values[k]);
  return { search: values.q, filter, values, active };
}

function select(name, options, value) {
  return h("select", { name },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

/** The search field and buttons always show; the other filters fold into a disclosure,
open on a wide screen or when one of them is set (on a phone the list comes first). */
export function filterForm(state, apply) {
  const v = state.values;
  const search = field("Search", h("input", {
    name: "q", type: "search", value: v.q, autocomplete: "off",
    placeholder: "Name, number, @username",
  }));
  const status = field("Status", select("status",
    [["", "Any status"], ...STATUSES.map((s) => [s, s.charAt(0) + s.slice(1).toLowerCase()])], v.status));
  const tag = field("Tag", h("input", { name: "tag", value: v.tag, autocomplete: "off" }));
  const windowState = field("24-hour window", select("window",
    [["", "Open or closed"], ["open", "Open"], ["closed", "Closed"]], v.window));
  const flow = field("Flow", h("input", { name: "flow", value: v.flow, autocomplete: "off" }));
  const since = field("Updated since", h("input", { name: "since", type: "datetime-local", value: v.since }));
  const set = FILTERS.filter((k) => v[k]).length;
  const more = h("details", { class: "more-filters", open: set > 0 || window.matchMedia(WIDE).matches },
    h("summary", {}, "Filters", set ? [" ", h("span", { class: "badge" }, `${set} set`)] : null),
    h("div", { class: "filter-fields" }, status.wrap, tag.wrap, windowState.wrap, flow.wrap, since.wrap));
  const form = h("form", { class: "filters", role: "search", "aria-label": "Search and filter sessions" },
    h("div", { class: "search-row" }, search.wrap,
      h("div", { class: "actions" },
        h("button", { type: "submit" }, "Apply"),
        h("button", { type: "reset", class: "secondary" }, "Clear"))),
    more,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const params = new URLSearchParams();
    for (const key of KEYS) {
      const value = String(data.get(key) || "").trim();
      if (value) params.set(key, value);
    }
    apply(params.toString());
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    apply("");
  });
  return form;
}
