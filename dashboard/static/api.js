// GraphQL over HTTP: POST /graphql with the bearer key; failures come back as ApiError, in words.

import { getKey } from "./auth.js";

export class ApiError extends Error {
  constructor(message, { status = 0, code = "", errors = [] } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

const listeners = new Set();
/** Called with the ApiError whenever the server refuses the key (HTTP 401). */
export function onUnauthorized(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

const CODE_WORDS = {
  FORBIDDEN: "This API key may not do that (a write or admin key is needed)",
  QUERY_TIMEOUT: "The query took too long; try a shorter range",
  QUERY_TOO_COSTLY: "The query asks for too much at once",
  SERVICE_UNAVAILABLE: "The database is unavailable; retry shortly",
};

function describe(errors) {
  return errors
    .map((e) => {
      const code = e.extensions && e.extensions.code;
      const words = CODE_WORDS[code];
      return words && !e.message.includes(words) ? `${words}: ${e.message}` : e.message;
    })
    .join("; ");
}

/** Run a query or mutation; resolves with `data`, rejects with an ApiError. */
export async function gql(query, variables = {}, { key = getKey(), partial = false } = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: `Bearer ${key}`,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The server cannot be reached: check the connection and try again.");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(
      `The server answered HTTP ${response.status} without a readable body.`,
      { status: response.status },
    );
  }
  const errors = (body && body.errors) || [];
  const code = errors.length && errors[0].extensions ? errors[0].extensions.code || "" : "";
  if (response.status === 401) {
    const error = new ApiError(describe(errors) || "The API key was refused.", {
      status: 401, code: code || "UNAUTHENTICATED", errors,
    });
    if (key === getKey()) listeners.forEach((fn) => fn(error));
    throw error;
  }
  if (!response.ok && !body.data) {
    const retry = response.headers.get("Retry-After");
    const extra = retry ? ` (retry in ${retry} s)` : "";
    throw new ApiError(`${describe(errors) || `HTTP ${response.status}`}${extra}`, {
      status: response.status, code, errors,
    });
  }
  if (errors.length && (!partial || !body.data)) {
    throw new ApiError(describe(errors), { status: response.status, code, errors });
  }
  return partial ? { data: body.data, errors } : body.data;
}

/** Fetch a message's media with the key; a blob: URL, or an ApiError in words. */
export async function mediaUrl(messageId) {
  let response;
  try {
    response = await fetch(`/media/${encodeURIComponent(messageId)}`, {
      headers: { Authorization: `Bearer ${getKey()}` },
    });
  } catch {
    throw new ApiError("The media could not be fetched: the server cannot be reached.");
  }
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      const body = await response.json();
      message = body.error || (body.errors && describe(body.errors)) || message;
    } catch { /* not JSON */ }
    throw new ApiError(`No preview: ${message}`, { status: response.status });
  }
  return URL.createObjectURL(await response.blob());
}
