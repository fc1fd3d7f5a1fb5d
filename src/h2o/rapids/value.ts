// What a Rapids expression evaluates to, and the argument readers every operator uses to
// check its operands (each error names the operator and what it expected).

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import type { FloeNode } from "../../runtime.ts";
import type { Ast } from "./parse.ts";

export type Value =
  /** A frame; `id` is its key once stored (tmp=, assign). */
  | { readonly kind: "frame"; readonly frame: Frame; readonly id?: string }
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "nums"; readonly values: readonly number[] }
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "strs"; readonly values: readonly string[] }
  | { readonly kind: "none" };

export const NONE: Value = { kind: "none" };

/** What an operator sees: the node, and a way to evaluate its (unevaluated) arguments. */
export interface Env {
  readonly node: FloeNode;
  eval(ast: Ast): Promise<Value>;
  /** The frame an H2O key names, as stored (on a cluster its chunks are held by other nodes). */
  frame(key: string): Promise<Frame>;
}

/** An operator: checks and evaluates its arguments, then does its work as frame operations. */
export type Operator = (env: Env, args: readonly Ast[], op: string) => Promise<Value>;

export function describe(v: Value): string {
  return v.kind === "frame"
    ? `a frame of ${v.frame.rows}x${v.frame.columns.length}`
    : v.kind === "num"
      ? `the number ${v.value}`
      : v.kind === "str"
        ? `the string '${v.value}'`
        : v.kind === "none"
          ? "nothing"
          : `a list`;
}

export function wrongArg(op: string, what: string, got: Value): FloeError {
  return new FloeError("invalid_argument", `Rapids '${op}': expected ${what}, got ${describe(got)}`);
}

export function arity(op: string, args: readonly Ast[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new FloeError("invalid_argument", `Rapids '${op}' takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`);
  }
}

export async function frameArg(env: Env, op: string, ast: Ast): Promise<Frame> {
  const v = await env.eval(ast);
  if (v.kind !== "frame") throw wrongArg(op, "a frame", v);
  return v.frame;
}

export async function numArg(env: Env, op: string, ast: Ast): Promise<number> {
  const v = await env.eval(ast);
  if (v.kind === "num") return v.value;
  if (v.kind === "nums" && v.values.length === 1) return v.values[0];
  throw wrongArg(op, "a number", v);
}

export async function strArg(env: Env, op: string, ast: Ast): Promise<string> {
  const v = await env.eval(ast);
  if (v.kind !== "str") throw wrongArg(op, "a string", v);
  return v.value;
}

/** A Python boolean as the client sends it: True/False (identifiers) or 1/0. */
export async function boolArg(env: Env, op: string, ast: Ast): Promise<boolean> {
  const n = await numArg(env, op, ast);
  return n !== 0;
}
