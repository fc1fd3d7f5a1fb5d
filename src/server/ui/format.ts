// How the web UI writes numbers, sizes, times and cells: one place so every table agrees.

/** A number with at most 6 significant digits ("" for null/undefined, "NaN" kept visible). */
export function num(x: unknown): string {
  if (x === null || x === undefined) return "";
  if (typeof x !== "number") return String(x);
  if (Number.isInteger(x)) return String(x);
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** A byte count in binary units, e.g. "1.5 MB". */
export function bytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`;
}

/** A duration in ms as "850 ms", "12.3 s" or "4 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A timestamp (ms since the epoch) in the browser's locale. */
export function time(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** A rows-preview cell: time columns (ms epoch) as ISO dates, missing as empty. */
export function cell(v: number | string | null, type: string): string {
  if (v === null) return "";
  if (type === "time" && typeof v === "number") return new Date(v).toISOString();
  return num(v);
}
