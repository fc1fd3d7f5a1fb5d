// Shared by the operators: new numeric columns computed from a frame's columns through
// core's ColumnMathTask (where the chunks are), and frames of the result shapes H2O answers with.

import { ColumnMathTask, type MathOutput } from "../../../core/column-math.ts";
import { sharedF64 } from "../../../core/chunk.ts";
import { Frame } from "../../../core/frame.ts";
import { sourceOf } from "../spread.ts";
import type { Env } from "../value.ts";

/**
 * One numeric column per output, named `names`, computed chunk by chunk over `frame` (over
 * the stored frame a selection reads, on the nodes holding its chunks).
 */
export async function computeColumns(env: Env, frame: Frame, outputs: readonly MathOutput[], names: readonly string[]): Promise<Frame> {
  const source = sourceOf(frame);
  const stored = outputs.map((o) => ({ ...o, args: o.args.map((a) => ("col" in a ? { col: source.cols[a.col] } : a)) }));
  const chunks = await env.node.executor.run(ColumnMathTask, source.frame, { outputs: stored });
  return Frame.of(
    names.map((name) => ({ name, type: "numeric" as const })),
    chunks,
  );
}

/** A one-row numeric frame (H2O's answer to mean and friends over columns). */
export function rowFrame(names: readonly string[], values: readonly number[]): Frame {
  return Frame.of(
    names.map((name) => ({ name, type: "numeric" as const })),
    [{ index: 0, start: 0, rows: 1, vecs: values.map((v) => ({ kind: "f64" as const, values: sharedF64(1).fill(v) })) }],
  );
}
