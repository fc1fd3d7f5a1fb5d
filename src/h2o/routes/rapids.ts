// POST /99/Rapids: H2O's expression language. The expression (`ast`) is parsed
// (rapids/parse.ts) and evaluated (rapids/eval.ts) as floe frame operations; the answer is
// the RapidsSchema variant the client reads (h2o-py's ExprNode._eval_driver): a frame's
// key and shape, a number or numbers (`scalar`), a string or strings (`string`), or none.

import type { Hono } from "hono";
import { FloeError } from "../../core/errors.ts";
import type { H2OContext } from "../context.ts";
import { keyJson } from "../keys.ts";
import { H2OParams } from "../params.ts";
import { Evaluator } from "../rapids/eval.ts";
import { storeFrame } from "../rapids/ops/keys.ts";
import { parseRapids } from "../rapids/parse.ts";
import type { Value } from "../rapids/value.ts";

const meta = (name: string) => ({ schema_version: 3, schema_name: name, schema_type: "Iced" });

/** H2O writes a missing number as the string "NaN" (JSON has no NaN); the client turns it back with float(). */
const jsonNumber = (x: number): number | string => (Number.isFinite(x) ? x : Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");

function answer(value: Value, ast: string, session: string) {
  const echo = { ast, session_id: session, id: null };
  switch (value.kind) {
    case "frame":
      if (value.id === undefined) throw new FloeError("internal", "a Rapids frame result was not stored");
      return { __meta: meta("RapidsFrameV3"), ...echo, key: keyJson("Frame", value.id), num_rows: value.frame.rows, num_cols: value.frame.columns.length };
    case "num":
      return { __meta: meta("RapidsNumberV3"), ...echo, scalar: jsonNumber(value.value) };
    case "nums":
      return { __meta: meta("RapidsNumbersV3"), ...echo, scalar: value.values.map(jsonNumber) };
    case "str":
      return { __meta: meta("RapidsStringV3"), ...echo, string: value.value };
    case "strs":
      return { __meta: meta("RapidsStringsV3"), ...echo, string: value.values };
    case "none":
      return { __meta: meta("RapidsSchemaV3"), ...echo };
  }
}

export function register(app: Hono, ctx: H2OContext): void {
  app.post("/99/Rapids", async (c) => {
    const params = await H2OParams.of(c);
    const text = params.need("ast");
    const session = params.str("session_id") ?? "";
    const evaluator = new Evaluator(ctx.node);
    let value = await evaluator.eval(parseRapids(text));
    // A frame the expression did not name is kept under a fresh key of the session, as H2O does.
    if (value.kind === "frame" && value.id === undefined) {
      value = await storeFrame(evaluator, ctx.node.store.newId("frame", `rapids${session}`), value.frame);
    }
    return c.json(answer(value, text, session));
  });
}
