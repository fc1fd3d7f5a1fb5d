// The Rapids evaluator: walks a parsed expression, evaluating identifiers as frame keys
// (or the client's Python constants) and calls through the table of operators. Each
// operator runs floe frame operations (map/reduce tasks through the node's executor, on a
// cluster on the nodes holding the chunks of the stored frames: see spread.ts).
// An operator floe lacks is H2O's error naming it.

import { FloeError } from "../../core/errors.ts";
import type { Frame } from "../../core/frame.ts";
import { key } from "../../core/store.ts";
import type { FloeNode } from "../../runtime.ts";
import { floeId } from "../keys.ts";
import { OPERATORS } from "./ops/index.ts";
import type { Ast } from "./parse.ts";
import type { Env, Value } from "./value.ts";

const CONSTANTS: Readonly<Record<string, number>> = { True: 1, TRUE: 1, False: 0, FALSE: 0 };

/** The deepest nesting evaluated: the client's expressions are shallow; this bounds the stack. */
const MAX_DEPTH = 200;

export class Evaluator implements Env {
  private depth = 0;

  constructor(readonly node: FloeNode) {}

  async frame(h2oKey: string): Promise<Frame> {
    const stored = this.node.store.get(key<Frame>("frame", floeId(h2oKey, "frame key")));
    if (!stored) throw new FloeError("not_found", `Rapids: no frame '${h2oKey}'`);
    return stored;
  }

  async eval(ast: Ast): Promise<Value> {
    switch (ast.kind) {
      case "num":
        return { kind: "num", value: ast.value };
      case "str":
        return { kind: "str", value: ast.value };
      case "strs":
        return { kind: "strs", values: ast.values };
      case "nums":
        if (ast.ranges.some((r) => Number.isNaN(r.count))) throw new FloeError("invalid_argument", "Rapids: an open range (start:nan) is only understood as rows or columns of a frame");
        return { kind: "nums", values: ast.ranges.flatMap((r) => Array.from({ length: r.count }, (_, i) => r.start + i * r.stride)) };
      case "id":
        if (Object.hasOwn(CONSTANTS, ast.name)) return { kind: "num", value: CONSTANTS[ast.name] };
        return { kind: "frame", frame: await this.frame(ast.name) };
      case "call": {
        const operator = Object.hasOwn(OPERATORS, ast.op) ? OPERATORS[ast.op] : undefined;
        if (!operator) throw new FloeError("unsupported", `Rapids operator '${ast.op}' is not supported by floe`);
        if (++this.depth > MAX_DEPTH) throw new FloeError("invalid_argument", `Rapids: expression nested deeper than ${MAX_DEPTH} calls`);
        try {
          return await operator(this, ast.args, ast.op);
        } finally {
          this.depth--;
        }
      }
    }
  }
}
