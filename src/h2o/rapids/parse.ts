// Rapids, H2O's expression language, parsed into a small syntax tree. The Python client
// sends one expression per POST /99/Rapids (h2o-py's ExprNode._get_ast_str):
//   (op arg ...)          a call; op is any bare token: tmp=  :=  cols_py  h2o.runif  &  <=
//   12  -3.5e2  NaN       numbers
//   'a'  "b"              strings (backslash escapes)
//   [1 2 3]  ['a' 'b']    lists; [0:10] is 10 numbers from 0, [0:5:2] 5 numbers from 0 by 2
//   iris.hex  True        identifiers: frame keys and the client's Python constants
// A tokenizer and a recursive descent over it; errors name the position at fault.

import { FloeError } from "../../core/errors.ts";

/** A run of `count` numbers from `start` by `stride`; count NaN runs to the end of whatever it indexes. */
export interface NumRange {
  readonly start: number;
  readonly count: number;
  readonly stride: number;
}

export type Ast =
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "id"; readonly name: string }
  | { readonly kind: "nums"; readonly ranges: readonly NumRange[] }
  | { readonly kind: "strs"; readonly values: readonly string[] }
  | { readonly kind: "call"; readonly op: string; readonly args: readonly Ast[] };

/** The longest expression accepted: H2O's client sends short ones (frame data goes by key, not inline). */
export const MAX_AST_CHARS = 1_000_000;

const NUMBER = /^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)$/;
const SPECIAL_NUMBERS: Readonly<Record<string, number>> = { NaN: Number.NaN, nan: Number.NaN, Inf: Infinity, inf: Infinity, "-Inf": -Infinity, "-inf": -Infinity };

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new FloeError("invalid_argument", `Rapids: ${message} at character ${this.pos} of '${this.text.length > 80 ? `${this.text.slice(0, 80)}...` : this.text}'`);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /[\s,]/.test(this.text[this.pos])) this.pos++;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? "";
  }

  expression(): Ast {
    const c = this.peek();
    if (c === "") this.fail("expected an expression, found the end");
    if (c === "(") return this.call();
    if (c === "[") return this.list();
    if (c === "'" || c === '"') return { kind: "str", value: this.string() };
    if (c === ")" || c === "]") this.fail(`unexpected '${c}'`);
    if (c === "{") this.fail("functions ({ x . body }) are not supported");
    const token = this.bare();
    const n = numberOf(token);
    return n === null ? { kind: "id", name: token } : { kind: "num", value: n };
  }

  /** A token up to white space or a bracket. */
  bare(): string {
    const from = this.pos;
    while (this.pos < this.text.length && !/[\s,()[\]{}'"]/.test(this.text[this.pos])) this.pos++;
    if (this.pos === from) this.fail(`unexpected '${this.text[this.pos]}'`);
    return this.text.slice(from, this.pos);
  }

  call(): Ast {
    this.pos++; // (
    if (this.peek() === ")") this.fail("empty call ()");
    const op = this.bare();
    const args: Ast[] = [];
    while (this.peek() !== ")") {
      if (this.peek() === "") this.fail(`unclosed call of '${op}'`);
      args.push(this.expression());
    }
    this.pos++; // )
    return { kind: "call", op, args };
  }

  string(): string {
    const quote = this.text[this.pos++];
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unclosed string");
      const c = this.text[this.pos++];
      if (c === quote) return out;
      if (c === "\\") {
        if (this.pos >= this.text.length) this.fail("unclosed string");
        const e = this.text[this.pos++];
        out += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
      } else out += c;
    }
  }

  /** A list of strings, or of numbers and ranges; an empty list is an empty number list. */
  list(): Ast {
    this.pos++; // [
    const strings: string[] = [];
    const ranges: NumRange[] = [];
    while (this.peek() !== "]") {
      const c = this.peek();
      if (c === "") this.fail("unclosed list");
      if (c === "'" || c === '"') strings.push(this.string());
      else ranges.push(this.range());
      if (strings.length > 0 && ranges.length > 0) this.fail("a list mixes strings and numbers");
    }
    this.pos++; // ]
    return strings.length > 0 ? { kind: "strs", values: strings } : { kind: "nums", ranges };
  }

  /** `n`, `start:count` or `start:count:stride`. */
  range(): NumRange {
    const token = this.bare();
    const parts = token.split(":").map((p) => numberOf(p));
    if (parts.length > 3 || parts.some((p) => p === null)) this.fail(`'${token}' is not a number or a range start:count[:stride]`);
    const [start, count, stride] = parts as number[];
    if (parts.length === 1) return { start, count: 1, stride: 1 };
    if (!Number.isInteger(start) || !(Number.isNaN(count) || (Number.isInteger(count) && count >= 0)) || (stride !== undefined && !(Number.isInteger(stride) && stride >= 1))) {
      this.fail(`'${token}' is not a range of integers start:count[:stride]`);
    }
    return { start, count, stride: stride ?? 1 };
  }
}

function numberOf(token: string): number | null {
  if (Object.hasOwn(SPECIAL_NUMBERS, token)) return SPECIAL_NUMBERS[token];
  return NUMBER.test(token) ? Number(token) : null;
}

/** The syntax tree of one Rapids expression; an invalid_argument error names what is wrong and where. */
export function parseRapids(text: string): Ast {
  if (text.length > MAX_AST_CHARS) throw new FloeError("too_large", `Rapids: an expression of ${text.length} characters is over the limit of ${MAX_AST_CHARS}`);
  const parser = new Parser(text);
  const ast = parser.expression();
  if (parser.peek() !== "") parser.fail("unexpected text after the expression");
  return ast;
}

/** The numbers a list's ranges stand for; `length` bounds ranges whose count is NaN (to the end). */
export function expandRanges(ranges: readonly NumRange[], length: number): number[] {
  const out: number[] = [];
  for (const r of ranges) {
    const count = Number.isNaN(r.count) ? Math.max(0, Math.ceil((length - r.start) / r.stride)) : r.count;
    for (let i = 0; i < count; i++) out.push(r.start + i * r.stride);
  }
  return out;
}
