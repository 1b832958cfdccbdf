// The API key: typed once, kept for this browser session only (sessionStorage), or brought by
// a `#key=…` link (the fragment never reaches a server log), which is then taken out of the
// address bar.

const STORE = "wagraph.apiKey";

export function getKey() {
  try {
    return sessionStorage.getItem(STORE) || "";
  } catch {
    return "";
  }
}

export function setKey(key) {
  sessionStorage.setItem(STORE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(STORE);
}

/** A key in the fragment (`#key=…`, or `#/route?key=…`): returned and erased from the URL. */
export function takeFragmentKey() {
  const hash = (window.location.hash || "").replace(/^#/, "");
  const [path, search = ""] = hash.startsWith("/") ? hash.split("?") : ["", hash];
  const params = new URLSearchParams(search);
  const key = (params.get("key") || "").trim();
  if (!key) return "";
  params.delete("key");
  const rest = params.toString();
  const route = `#${path || "/sessions"}${rest ? `?${rest}` : ""}`;
  history.replaceState(null, "", `${window.location.pathname}${window.location.search}${route}`);
  return key;
}
