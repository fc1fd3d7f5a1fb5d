// Naming results and forgetting them: tmp= and assign store a frame under a key, rm
// deletes one, rename moves one, ls lists the frames.

import { FloeError } from "../../../core/errors.ts";
import { Frame } from "../../../core/frame.ts";
import { computeRollups } from "../../../core/rollups.ts";
import { utf8Vec } from "../../../core/vec-builder.ts";
import { floeId } from "../../keys.ts";
import type { Ast } from "../parse.ts";
import { gather } from "../spread.ts";
import { arity, type Env, frameArg, NONE, type Operator, type Value } from "../value.ts";

/** The key an argument names: a bare identifier (the client's tmp keys) or a string. */
function keyName(op: string, ast: Ast): string {
  if (ast.kind === "id" || ast.kind === "str") return floeId(ast.kind === "id" ? ast.name : ast.value, `Rapids '${op}' key`);
  throw new FloeError("invalid_argument", `Rapids '${op}': expected a key, got a ${ast.kind}`);
}

/**
 * Stores `frame` under `id` with its rollups (H2O's frame summaries show them), replacing
 * what was there: H2O's keys are overwritten by assignment.
 */
export async function storeFrame(env: Env, id: string, frame: Frame): Promise<Value> {
  // A spread frame (or a selection of one, perhaps the frame stored under `id`) is
  // gathered before the old frame goes: storing spreads it anew.
  const local = await gather(env, frame);
  const summarized = local.rollups ? local : local.withRollups(await computeRollups(env.node.executor, local));
  await env.node.deleteFrame(id);
  // The value is the frame as stored (on a cluster, stand-ins for chunks held by other
  // nodes): the rest of the expression runs its tasks where those chunks are.
  return { kind: "frame", frame: await env.node.putFrame(id, summarized), id };
}

const assign: Operator = async (env, args, op) => {
  arity(op, args, 2);
  const id = keyName(op, args[0]);
  return storeFrame(env, id, await frameArg(env, op, args[1]));
};

const rm: Operator = async (env, args, op) => {
  for (const a of args) await env.node.deleteFrame(keyName(op, a));
  return NONE;
};

const rename: Operator = async (env, args, op) => {
  arity(op, args, 2);
  const from = keyName(op, args[0]);
  const to = keyName(op, args[1]);
  const frame = await frameArg(env, op, { kind: "id", name: from });
  await storeFrame(env, to, frame);
  await env.node.deleteFrame(from);
  return NONE;
};

const ls: Operator = async (env, args, op) => {
  arity(op, args, 0);
  const ids = env.node.store.ids("frame");
  return { kind: "frame", frame: Frame.of([{ name: "key", type: "string" }], ids.length ? [{ index: 0, start: 0, rows: ids.length, vecs: [utf8Vec(ids)] }] : []) };
};

export const KEY_OPERATORS: Readonly<Record<string, Operator>> = { "tmp=": assign, assign, rm, rename, ls };
