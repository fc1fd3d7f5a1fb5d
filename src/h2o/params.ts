// The parameters H2O's client sends: in the query string for GET and DELETE, as a
// form-urlencoded body for POST. Lists travel as "[a,b,"c"]" (the client's stringify_list),
// booleans as Python's "True"/"False".

import type { Context } from "hono";
import { FloeError } from "../core/errors.ts";

export class H2OParams {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** The query string and, for a form body, its fields (the body's win). */
  static async of(c: Context): Promise<H2OParams> {
    const values = new Map(Object.entries(c.req.query()));
    const type = (c.req.header("content-type") ?? "").toLowerCase();
    if (c.req.method !== "GET" && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"))) {
      const form = await c.req.parseBody();
      for (const [k, v] of Object.entries(form)) if (typeof v === "string") values.set(k, v);
    }
    return new H2OParams(values);
  }

  /** The names of every parameter sent. */
  names(): string[] {
    return [...this.values.keys()];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  str(name: string): string | undefined {
    return this.values.get(name);
  }

  need(name: string): string {
    const v = this.values.get(name);
    if (v === undefined || v === "") throw new FloeError("invalid_argument", `parameter '${name}' is required`);
    return v;
  }

  /** A list parameter: "[a, "b c", 'd']" or a single bare value; null when absent. */
  list(name: string): string[] | null {
    const v = this.values.get(name);
    return v === undefined ? null : parseList(v);
  }

  num(name: string): number | undefined {
    const v = this.values.get(name);
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new FloeError("invalid_argument", `parameter '${name}' must be a number, got '${v}'`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const v = this.values.get(name)?.toLowerCase();
    if (v === undefined || v === "") return undefined;
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
    throw new FloeError("invalid_argument", `parameter '${name}' must be true or false, got '${v}'`);
  }
}

/** Splits "[a,"b,c",d]" at top-level commas, dropping one level of quotes; nested lists stay text. */
export function parseList(text: string): string[] {
  const s = text.trim();
  if (!s.startsWith("[")) return s === "" ? [] : [unquote(s)];
  if (!s.endsWith("]")) throw new FloeError("invalid_argument", `'${text}' is not a list: it opens '[' but does not close it`);
  const inner = s.slice(1, -1);
  return inner.trim() === "" ? [] : splitTopLevel(inner, ",").map(unquote);
}

/** Splits `text` at `sep` outside quotes, brackets and braces; each part trimmed. */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") depth--;
    else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** A value without one level of quotes (and their escapes). */
export function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0]) return s.slice(1, -1).replace(/\\(.)/g, "$1");
  return s;
}
