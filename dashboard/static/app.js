// The page: sign-in, the header, and the hash router that picks a screen (#/sessions, …).

import { gql, onUnauthorized } from "./api.js";
import { forgetKey, getKey, setKey, takeFragmentKey } from "./auth.js";
import { clear } from "./dom.js";
import { LiveClient } from "./ws.js";
import { renderSignIn } from "./views/signin.js";

const VIEWS = {
  sessions: () => import("./views/sessions.js"),
  session: () => import("./views/timeline.js"),
  overview: () => import("./views/overview.js"),
  automations: () => import("./views/automations.js"),
  health: () => import("./views/health.js"),
};

const main = document.getElementById("main");
const header = document.getElementById("top");
const liveState = document.getElementById("live-state");
let live = null;
let cleanup = null;
let renderCount = 0;

const LIVE_WORDS = {
  connecting: "Live updates: connecting…",
  connected: "Live updates: on",
  reconnecting: "Live updates: reconnecting…",
  refused: "Live updates: off (key refused)",
  idle: "Live updates: idle",
};

/** The indicator shows only once a screen subscribes to something: before that (overview,
automations, health) there is nothing live to be on or off. */
function setLiveState(state, seconds) {
  liveState.hidden = state === "idle";
  liveState.textContent = state === "reconnecting" && seconds
    ? `Live updates: reconnecting in ${seconds} s…` : LIVE_WORDS[state] || state;
  liveState.dataset.state = state;
}

/** "#/sessions/abc?status=ACTIVE" → {name: "session", id: "abc", query: URLSearchParams}. */
export function parseRoute(hash = window.location.hash) {
  const [path, search = ""] = hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  if (parts[0] === "sessions" && parts[1]) return { name: "session", id: parts[1], query };
  return { name: parts[0] || "sessions", query };
}

function markNav(name) {
  const section = name === "session" ? "sessions" : name;
  document.querySelectorAll("nav a[data-route]").forEach((a) => {
    if (a.dataset.route === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

async function route({ focus = true } = {}) {
  if (!getKey()) return showSignIn();
  const current = parseRoute();
  if (!window.location.hash || window.location.hash === "#" || window.location.hash === "#/") {
    history.replaceState(null, "", "#/sessions");
  }
  if (cleanup) cleanup();
  cleanup = null;
  const mine = ++renderCount;
  header.hidden = false;
  markNav(current.name);
  clear(main);
  const load = VIEWS[current.name];
  if (!load) {
    main.append(Object.assign(document.createElement("h1"), { textContent: "Page not found" }));
    return;
  }
  const view = await load();
  if (mine !== renderCount) return;
  const ctx = { route: current, live: ensureLive(), navigate, stale: () => mine !== renderCount };
  cleanup = view.render(main, ctx) || null;
  if (focus) {
    const heading = main.querySelector("h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }
}

function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, "", hash);
    route({ focus: false });
  } else if (window.location.hash === hash) {
    route({ focus: false });
  } else {
    window.location.hash = hash;
  }
}

function ensureLive() {
  if (!live) live = new LiveClient(getKey, setLiveState);
  return live;
}

function stopLive() {
  if (live) live.close();
  live = null;
}

function showSignIn(message = "", kind = "error") {
  if (cleanup) cleanup();
  cleanup = null;
  stopLive();
  header.hidden = true;
  clear(main);
  renderSignIn(main, { message, kind, signIn });
}

/** Check the key with a request; on success keep it and open the sessions (or the route). */
async function signIn(key) {
  await gql("query SignIn { __typename }", {}, { key });
  setKey(key);
  if (!window.location.hash.startsWith("#/")) history.replaceState(null, "", "#/sessions");
  route(); // a screen's own failure is shown on it, not as a failed sign-in
}

function signOut() {
  forgetKey();
  showSignIn("You are signed out.", "status");
}

async function start() {
  const fromLink = takeFragmentKey();
  document.getElementById("sign-out").addEventListener("click", signOut);
  window.addEventListener("hashchange", () => route());
  onUnauthorized((error) => {
    forgetKey();
    showSignIn(`Your API key was refused: ${error.message}. Sign in again.`);
  });
  if (fromLink) {
    try {
      await signIn(fromLink);
    } catch (error) {
      showSignIn(`Sign-in failed: ${error.message}`);
    }
    return;
  }
  await route();
}

start();
