// Arithmetic, comparisons and boolean logic over frames and numbers (column by column,
// a number spread over every row), is.na, not, ifelse, and h2o.runif (the uniform column
// split_frame filters on). Comparing an enum column with a string compares its codes
// with the level's code.

import { type BinaryMathOp, binaryMath, type MathOutput, type Operand, RunifTask } from "../../../core/column-math.ts";
import { FloeError } from "../../../core/errors.ts";
import { Frame } from "../../../core/frame.ts";
import { randomSeed, seedState } from "../../../core/rng.ts";
import { bindColumns, sourceOf } from "../spread.ts";
import { arity, type Env, frameArg, numArg, type Operator, type Value, wrongArg } from "../value.ts";
import { computeColumns } from "./compute.ts";

const BINARY: readonly BinaryMathOp[] = ["+", "-", "*", "/", "^", "%%", "intDiv", "==", "!=", "<", "<=", ">", ">=", "&", "|"];

/** A constant operand for column `col` of `frame`: a string is a level of an enum column. */
function constantFor(op: string, frame: Frame, col: number, v: Value): Operand {
  if (v.kind === "num") return { value: v.value };
  if (v.kind === "str") {
    const spec = frame.columns[col];
    if (spec.type !== "enum" || (op !== "==" && op !== "!="))
      throw new FloeError("unsupported", `Rapids '${op}': a string compares only for (in)equality with an enum column, not with ${spec.type} column '${spec.name}'`);
    const code = spec.domain?.indexOf(v.value) ?? -1;
    // A level the column lacks equals no row (a code no row has), yet is not missing.
    return { value: code >= 0 ? code : -0.5 };
  }
  throw wrongArg(op, "a frame, a number or a string", v);
}

async function binaryOp(env: Env, op: BinaryMathOp, left: Value, right: Value): Promise<Value> {
  if (left.kind === "num" && right.kind === "num") return { kind: "num", value: binaryMath(op, left.value, right.value) };
  if (left.kind === "frame" && right.kind === "frame") {
    const a = left.frame;
    const b = right.frame;
    const n = Math.max(a.columns.length, b.columns.length);
    if (a.columns.length !== b.columns.length && a.columns.length !== 1 && b.columns.length !== 1) {
      throw new FloeError("invalid_argument", `Rapids '${op}': frames of ${a.columns.length} and ${b.columns.length} columns do not combine column by column`);
    }
    const z = await bindColumns(env, [a, b]);
    const na = a.columns.length;
    const outputs: MathOutput[] = Array.from({ length: n }, (_, i) => ({ op, args: [{ col: na === 1 ? 0 : i }, { col: na + (b.columns.length === 1 ? 0 : i) }] }));
    return { kind: "frame", frame: await computeColumns(env, z, outputs, (na >= b.columns.length ? a : b).names) };
  }
  if (left.kind === "frame") {
    const f = left.frame;
    const outputs = f.columns.map((_, i): MathOutput => ({ op, args: [{ col: i }, constantFor(op, f, i, right)] }));
    return { kind: "frame", frame: await computeColumns(env, f, outputs, f.names) };
  }
  if (right.kind === "frame") {
    const f = right.frame;
    const outputs = f.columns.map((_, i): MathOutput => ({ op, args: [constantFor(op, f, i, left), { col: i }] }));
    return { kind: "frame", frame: await computeColumns(env, f, outputs, f.names) };
  }
  throw wrongArg(op, "frames or numbers", left.kind === "num" ? right : left);
}

function binary(op: BinaryMathOp): Operator {
  return async (env, args, name) => {
    arity(name, args, 2);
    return binaryOp(env, op, await env.eval(args[0]), await env.eval(args[1]));
  };
}

function unary(op: "is.na" | "not"): Operator {
  return async (env, args, name) => {
    arity(name, args, 1);
    const v = await env.eval(args[0]);
    if (v.kind === "num") return { kind: "num", value: op === "is.na" ? (v.value !== v.value ? 1 : 0) : v.value !== v.value ? Number.NaN : v.value === 0 ? 1 : 0 };
    if (v.kind !== "frame") throw wrongArg(name, "a frame or a number", v);
    const f = v.frame;
    return {
      kind: "frame",
      frame: await computeColumns(
        env,
        f,
        f.columns.map((_, i) => ({ op, args: [{ col: i }] })),
        f.names,
      ),
    };
  };
}

// (ifelse test yes no): test a one-column frame; yes and no columns or numbers.
const ifelse: Operator = async (env, args, op) => {
  arity(op, args, 3);
  const test = await frameArg(env, op, args[0]);
  if (test.columns.length !== 1) throw new FloeError("unsupported", "Rapids 'ifelse': the test must be one column in floe");
  const parts = [test];
  const operands: Operand[] = [{ col: 0 }];
  for (const a of args.slice(1)) {
    const v = await env.eval(a);
    if (v.kind === "num") operands.push({ value: v.value });
    else if (v.kind === "frame" && v.frame.columns.length === 1) {
      operands.push({ col: parts.length });
      parts.push(v.frame);
    } else throw wrongArg(op, "a number or a one-column frame", v);
  }
  return { kind: "frame", frame: await computeColumns(env, await bindColumns(env, parts), [{ op: "ifelse", args: operands }], test.names) };
};

// (h2o.runif frame seed): seed -1 picks one at random.
const runif: Operator = async (env, args, op) => {
  arity(op, args, 2);
  const frame = await frameArg(env, op, args[0]);
  const seed = await numArg(env, op, args[1]);
  if (!Number.isSafeInteger(seed)) throw new FloeError("invalid_argument", `Rapids 'h2o.runif': seed must be an integer, got ${seed}`);
  // Only the rows matter: a selection of a stored frame maps over the stored frame.
  const chunks = await env.node.executor.run(RunifTask, sourceOf(frame).frame, { seedState: seedState(seed === -1 ? randomSeed() : seed) });
  return { kind: "frame", frame: Frame.of([{ name: "rnd", type: "numeric" }], chunks) };
};

export const MATH_OPERATORS: Readonly<Record<string, Operator>> = {
  ...Object.fromEntries(BINARY.map((op) => [op, binary(op)])),
  "%/%": binary("intDiv"),
  "&&": binary("&"),
  "||": binary("|"),
  "is.na": unary("is.na"),
  not: unary("not"),
  "!": unary("not"),
  ifelse,
  "h2o.runif": runif,
};
