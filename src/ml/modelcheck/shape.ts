// The small vocabulary model checks are written in: each check names where in the file a
// value sits ("iteration 3 tree 0 node 5") and throws one bad_input FloeError saying what is
// wrong with it, prefixed by the file's label.

import { FloeError } from "../../core/errors.ts";

type TypedCtor = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor;

export interface NumberRule {
  /** Allow NaN and ±Infinity (default: finite only). */
  readonly nonFinite?: boolean;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export class Shape {
  constructor(readonly label: string) {}

  fail(where: string, what: string): never {
    throw new FloeError("bad_input", `${this.label}: ${where} ${what}`);
  }

  object(v: unknown, where: string): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) this.fail(where, "is not an object");
    return v as Record<string, unknown>;
  }

  string(v: unknown, where: string): string {
    if (typeof v !== "string") this.fail(where, "is not a string");
    return v;
  }

  bool(v: unknown, where: string): boolean {
    if (typeof v !== "boolean") this.fail(where, "is not true or false");
    return v;
  }

  number(v: unknown, where: string, rule: NumberRule = {}): number {
    if (typeof v !== "number") this.fail(where, "is not a number");
    if (!rule.nonFinite && !Number.isFinite(v)) this.fail(where, `is ${v}, not a finite number`);
    if (rule.integer && !Number.isInteger(v)) this.fail(where, `is ${v}, not an integer`);
    if (rule.min !== undefined && v < rule.min) this.fail(where, `is ${v}, below ${rule.min}`);
    if (rule.max !== undefined && v > rule.max) this.fail(where, `is ${v}, above ${rule.max}`);
    return v;
  }

  /** A count or an index: an integer in [min, max]. */
  int(v: unknown, where: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    return this.number(v, where, { integer: true, min, max });
  }

  oneOf<T extends string>(v: unknown, values: readonly T[], where: string): T {
    if (!values.includes(v as T)) this.fail(where, `is ${JSON.stringify(v)}, not one of ${values.join(", ")}`);
    return v as T;
  }

  array(v: unknown, where: string, length?: number): unknown[] {
    if (!Array.isArray(v)) this.fail(where, "is not a list");
    if (length !== undefined && v.length !== length) this.fail(where, `has ${v.length} entries, not ${length}`);
    return v;
  }

  /** A list of distinct strings (an enum domain, column names). */
  strings(v: unknown, where: string, length?: number): string[] {
    const list = this.array(v, where, length);
    list.forEach((s, i) => this.string(s, `${where} entry ${i}`));
    if (new Set(list).size !== list.length) this.fail(where, "repeats a value");
    return list as string[];
  }

  typed<C extends TypedCtor>(v: unknown, Ctor: C, where: string, length?: number): InstanceType<C> {
    if (!(v instanceof Ctor)) this.fail(where, `is not an array of ${Ctor.name.replace("Array", "")} values`);
    const a = v as InstanceType<C>;
    if (length !== undefined && a.length !== length) this.fail(where, `has ${a.length} values, not ${length}`);
    return a;
  }

  /** A Float64Array whose every value is finite (or also NaN, with `nan`). */
  finites(v: unknown, where: string, length?: number, nan = false): Float64Array {
    const a = this.typed(v, Float64Array, where, length);
    for (let i = 0; i < a.length; i++) {
      if (!Number.isFinite(a[i]) && !(nan && Number.isNaN(a[i]))) this.fail(`${where} value ${i}`, `is ${a[i]}, not a finite number`);
    }
    return a;
  }
}
