// graphql-transport-ws: one socket for every live view. connection_init carries the key;
// subscribe/complete per operation; ping/pong both ways; reconnection with backoff, after which
// each subscription is told to refetch what it may have missed (as when an update has missed > 0).

const PROTOCOL = "graphql-transport-ws";
const PING_EVERY_MS = 20000;
const PONG_WITHIN_MS = 10000;
const MAX_BACKOFF_MS = 15000;

export class LiveClient {
  constructor(keyFn, onState = () => {}) {
    this.keyFn = keyFn;
    this.onState = onState;
    this.subs = new Map();
    this.nextId = 0;
    this.ws = null;
    this.acked = false;
    this.attempt = 0;
    this.everConnected = false;
    this.stopped = false;
    this.timers = {};
  }

  /** Subscribe; `handlers`: next(data), error(message), resync() after a gap. */
  subscribe(query, variables, handlers) {
    this.nextId += 1;
    const id = String(this.nextId);
    this.subs.set(id, { query, variables, handlers });
    if (!this.ws) this.connect();
    else if (this.acked) this.sendSubscribe(id);
    return () => {
      if (!this.subs.delete(id)) return;
      if (this.acked) this.send({ id, type: "complete" });
    };
  }

  close() {
    this.stopped = true;
    this.clearTimers();
    this.subs.clear();
    if (this.ws) this.ws.close(1000, "signed out");
    this.ws = null;
  }

  connect() {
    this.stopped = false;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${window.location.host}/graphql`, PROTOCOL);
    this.ws = ws;
    this.acked = false;
    this.onState(this.everConnected ? "reconnecting" : "connecting");
    ws.addEventListener("open", () => {
      this.send({ type: "connection_init", payload: { Authorization: `Bearer ${this.keyFn()}` } });
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event));
  }

  receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    const sub = message.id ? this.subs.get(message.id) : null;
    switch (message.type) {
      case "connection_ack":
        this.acked = true;
        this.onState("connected");
        if (this.everConnected) this.subs.forEach((s) => s.handlers.resync && s.handlers.resync());
        this.everConnected = true;
        this.attempt = 0;
        this.subs.forEach((_, id) => this.sendSubscribe(id));
        this.keepAlive();
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "pong":
        window.clearTimeout(this.timers.pong);
        break;
      case "next":
        if (!sub) break;
        if (message.payload.errors && message.payload.errors.length) {
          sub.handlers.error && sub.handlers.error(message.payload.errors.map((e) => e.message).join("; "));
        }
        if (message.payload.data) sub.handlers.next(message.payload.data);
        break;
      case "error":
        if (!sub) break;
        this.subs.delete(message.id);
        sub.handlers.error && sub.handlers.error(
          (Array.isArray(message.payload) ? message.payload : [message.payload])
            .map((e) => e.message).join("; "),
        );
        break;
      case "complete":
        this.subs.delete(message.id);
        break;
      default:
        break;
    }
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    this.clearTimers();
    this.ws = null;
    this.acked = false;
    if (this.stopped) return;
    if (event.code === 4403 || event.code === 4401) {
      this.onState("refused");
      return;
    }
    this.attempt += 1;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.attempt - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    this.onState("reconnecting", Math.round(delay / 1000));
    this.timers.retry = window.setTimeout(() => {
      if (!this.stopped && this.subs.size) this.connect();
      else if (!this.stopped) this.onState("idle");
    }, delay);
  }

  keepAlive() {
    this.clearTimers();
    this.timers.ping = window.setInterval(() => {
      this.send({ type: "ping" });
      window.clearTimeout(this.timers.pong);
      this.timers.pong = window.setTimeout(() => this.ws && this.ws.close(4000, "no pong"), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  clearTimers() {
    window.clearInterval(this.timers.ping);
    window.clearTimeout(this.timers.pong);
    window.clearTimeout(this.timers.retry);
  }

  sendSubscribe(id) {
    const sub = this.subs.get(id);
    if (sub) this.send({ id, type: "subscribe", payload: { query: sub.query, variables: sub.variables } });
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }
}
