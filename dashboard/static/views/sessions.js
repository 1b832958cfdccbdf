// #/sessions: the list, with search, filters and keyset paging (next / previous).

import { gql } from "../api.js";
import { clear, empty, errorBox, h, loading } from "../dom.js";
import { CONTACT } from "../fragments.js";
import { contactDetails, contactName, when, windowText, words } from "../format.js";
import { filterForm, readFilter } from "./session_filters.js";

const PAGE = 20;
const FIELDS = `id status flow tags updatedAt windowOpen windowExpiresAt
  messages(first: 1) { edges { node { id direction type status text createdAt } } }`;
const ROW = `${FIELDS} contact { ${CONTACT} }`;

const LIST = `query Sessions($filter: SessionFilter, $first: Int, $after: String) {
  sessions(filter: $filter, first: $first, after: $after) {
    totalCount totalCountCapped pageInfo { hasNextPage endCursor }
    edges { node { ${ROW} } }
  }
}`;

const ACTIVITY = `subscription Activity {
  messageUpdated(filter: { changes: [RECEIVED, SENT, FAILED] }) { change missed }
}`;

export function render(root, { route, navigate, live, stale }) {
  const state = readFilter(route.query);
  const cursors = [null];
  let page = 0;
  const results = h("section", { class: "results", "aria-labelledby": "results-title" });
  const fresh = h("button", { type: "button", class: "secondary", hidden: true }, "Show new activity");
  const freshNote = h("div", { class: "fresh", "aria-live": "polite" }, fresh);
  root.append(
    h("h1", {}, "Sessions"),
    filterForm(state, (next) => navigate(`#/sessions${next ? `?${next}` : ""}`)),
    freshNote,
    results,
  );
  const show = (to) => {
    page = to;
    fresh.hidden = true;
    return load(results, state, cursors, to, stale);
  };
  fresh.addEventListener("click", () => show(page));
  results.addEventListener("page", (event) => show(event.detail));
  show(0);
  // New messages are not spliced into the list (it would move under the reader): a button says
  // there is something new and reloads the page of results.
  const stop = live.subscribe(ACTIVITY, {}, {
    next: () => { fresh.hidden = false; },
    resync: () => { fresh.hidden = false; },
  });
  const timer = window.setInterval(() => {
    results.querySelectorAll("[data-expires]").forEach((el) => {
      el.textContent = windowText(el.dataset.open === "true", el.dataset.expires);
    });
  }, 30000);
  return () => {
    stop();
    window.clearInterval(timer);
  };
}

async function load(results, state, cursors, page, stale) {
  clear(results).append(h("h2", { id: "results-title", class: "sr-only" }, "Results"),
    loading("Loading sessions…"));
  results.setAttribute("aria-busy", "true");
  try {
    const found = await fetchPage(state, cursors[page]);
    if (stale()) return;
    clear(results).append(h("h2", { id: "results-title", class: "sr-only" }, "Results"));
    results.removeAttribute("aria-busy");
    if (!found.nodes.length) {
      results.append(empty(emptyText(state)));
      return;
    }
    results.append(table(found.nodes));
    cursors[page + 1] = found.pageInfo.endCursor;
    results.append(pager(results, page, found, cursors));
  } catch (error) {
    if (stale()) return;
    results.removeAttribute("aria-busy");
    clear(results).append(errorBox(`The sessions could not be loaded: ${error.message}`));
  }
}

/** One page of sessions; the search is one more condition of the SessionFilter. */
async function fetchPage(state, after) {
  const filter = state.search ? { ...state.filter, search: state.search } : { ...state.filter };
  const data = await gql(LIST, { filter, first: PAGE, after });
  return connection(data.sessions);
}

function emptyText(state) {
  const filtered = Object.keys(state.filter).length > 0;
  if (state.search) {
    return `No session’s contact matches “${state.search}”${filtered ? " with these filters" : ""}.`;
  }
  if (filtered) return "No session matches these filters.";
  return "No sessions yet: they start when a customer writes or a message is sent.";
}

function connection(sessions) {
  return {
    nodes: sessions.edges.map((e) => e.node),
    pageInfo: sessions.pageInfo,
    total: sessions.totalCount,
    capped: sessions.totalCountCapped,
  };
}

function table(nodes) {
  return h("table", { class: "sessions" },
    h("caption", { class: "sr-only" }, "Sessions, most recently updated first"),
    h("thead", {}, h("tr", {},
      ["Contact", "Last message", "24-hour window", "Tags", "Status", "Updated"]
        .map((title) => h("th", { scope: "col" }, title)))),
    h("tbody", {}, nodes.map(row)),
  );
}

function row(session) {
  const last = session.messages.edges[0] && session.messages.edges[0].node;
  const lastText = last
    ? `${last.direction === "OUTBOUND" ? "You: " : ""}${last.text || words(last.type)}`
    : "No messages";
  return h("tr", { dataset: { session: session.id } },
    h("td", { "data-label": "Contact" },
      h("a", { href: `#/sessions/${encodeURIComponent(session.id)}`, class: "contact" },
        contactName(session.contact)),
      h("small", { class: "muted block" }, contactDetails(session.contact))),
    h("td", { "data-label": "Last message", class: "last" },
      h("span", { class: "clip" }, lastText),
      last ? h("small", { class: "muted block" }, when(last.createdAt)) : null),
    h("td", { "data-label": "Window" },
      h("span", {
        class: session.windowOpen ? "badge ok" : "badge",
        dataset: session.windowExpiresAt
          ? { expires: session.windowExpiresAt, open: String(session.windowOpen) } : {},
      }, windowText(session.windowOpen, session.windowExpiresAt))),
    h("td", { "data-label": "Tags" }, tags(session.tags)),
    h("td", { "data-label": "Status" }, words(session.status),
      session.flow ? h("small", { class: "muted block" }, `Flow: ${session.flow}`) : null),
    h("td", { "data-label": "Updated" }, when(session.updatedAt)),
  );
}

export function tags(list) {
  if (!list || !list.length) return h("span", { class: "muted" }, "—");
  return h("ul", { class: "tags", "aria-label": "Tags" }, list.map((t) => h("li", { class: "tag" }, t)));
}

function pager(results, page, found, cursors) {
  const go = (to) => () => results.dispatchEvent(new CustomEvent("page", { detail: to }));
  const first = page * PAGE + 1;
  const last = page * PAGE + found.nodes.length;
  const total = `${found.total}${found.capped ? "+" : ""}`;
  if (page === 0 && !found.pageInfo.hasNextPage) {
    return h("p", { class: "pager muted" }, `${total} ${found.total === 1 ? "session" : "sessions"}`);
  }
  return h("nav", { class: "pager", "aria-label": "Pages of sessions" },
    h("button", { type: "button", class: "secondary", disabled: page === 0, onclick: go(page - 1) },
      "Previous page"),
    h("span", { role: "status" }, `${first}–${last} of ${total}`),
    h("button", {
      type: "button", class: "secondary", disabled: !found.pageInfo.hasNextPage || !cursors[page + 1],
      onclick: go(page + 1),
    }, "Next page"),
  );
}
