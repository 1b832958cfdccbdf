// Times, durations, numbers and people, for reading (in the browser's time zone and locale).

export const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const dayOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const isoDay = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
});

export function when(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const today = dayOnly.format(new Date()) === dayOnly.format(d);
  return today ? timeOnly.format(d) : dateTime.format(d);
}

export function fullWhen(value) {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : dateTime.format(d);
}

/** YYYY-MM-DD of an instant in the browser's zone (the key messageStats DAY groups use). */
export function localDay(date) {
  return isoDay.format(date);
}

/** "3 h 12 min", "45 min", "40 s". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

/** The 24-hour window, in words: "Open, 23 h 10 min left" / "Closed" / "Never opened". */
export function windowText(windowOpen, expiresAt, now = Date.now()) {
  if (!expiresAt) return windowOpen ? "Open" : "Not opened (the customer never wrote)";
  const left = (new Date(expiresAt).getTime() - now) / 1000;
  if (windowOpen && left > 0) return `Open, ${duration(left)} left`;
  return `Closed ${when(expiresAt)}`;
}

const percentFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });
export function percent(rate) {
  return rate === null || rate === undefined ? "—" : percentFormat.format(rate);
}

const numberFormat = new Intl.NumberFormat();
export function count(n) {
  return n === null || n === undefined ? "—" : numberFormat.format(n);
}

/** "Ana Souza", else "@ana.souza", else "+5511…", else the BSUID. */
export function contactName(contact) {
  if (!contact) return "Unknown contact";
  return contact.profileName || (contact.username ? `@${contact.username.replace(/^@/, "")}`
    : "") || contact.phoneNumber || (contact.waId ? `+${contact.waId}` : "") || contact.bsuid
    || "Unknown contact";
}

/** The other ways to reach them, beside the name. */
export function contactDetails(contact) {
  if (!contact) return "";
  const parts = [];
  if (contact.username && contact.profileName) parts.push(`@${contact.username.replace(/^@/, "")}`);
  const phone = contact.phoneNumber || (contact.waId ? `+${contact.waId}` : "");
  if (phone && phone !== contactName(contact)) parts.push(phone);
  if (!phone && contact.bsuid && contact.bsuid !== contactName(contact)) parts.push(contact.bsuid);
  return parts.join(" · ");
}

/** Who to send to: their number, else their BSUID. */
export function recipient(contact) {
  return contact ? contact.waId || contact.bsuid || "" : "";
}

export function words(upper) {
  if (!upper) return "";
  const s = String(upper).toLowerCase().replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A short line out of a JSON object: "screen: DATES · nights: 3". */
export function summary(obj, limit = 6) {
  if (!obj || typeof obj !== "object") return obj === undefined || obj === null ? "" : String(obj);
  return Object.entries(obj)
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .slice(0, limit)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`)
    .join(" · ");
}

/** "1 run", "3 runs". */
export function plural(n, word, many = `${word}s`) {
  return `${count(n)} ${n === 1 ? word : many}`;
}
