// Messages between nodes: any value of plain data (numbers including NaN and -0,
// strings, arrays, objects, typed arrays sent as their raw bytes) in the structured-clone
// wire format of the engine, the same format the worker pool's messages use. Stand-ins for
// chunks held elsewhere cannot travel as objects; `replaceDeep` swaps them for markers on
// the way out and back for the node's own chunks on the way in.

import { deserialize, serialize } from "bun:jsc";
import { FloeError } from "../core/errors.ts";

export function encode(value: unknown): Uint8Array {
  return new Uint8Array(serialize(value));
}

export function decode<T>(bytes: Uint8Array): T {
  try {
    return deserialize(bytes) as T;
  } catch (err) {
    throw new FloeError("bad_input", `cannot read a message from another node: ${(err as Error).message}`);
  }
}

/**
 * `value` with every object for which `swap` returns something other than undefined
 * replaced by that; arrays and plain objects are copied only where something changed.
 */
export function replaceDeep(value: unknown, swap: (v: object) => unknown): unknown {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  const swapped = swap(value);
  if (swapped !== undefined) return swapped;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = replaceDeep(value[i], swap);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(value)) {
    const r = replaceDeep(v, swap);
    if (r !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = r;
  }
  return out ?? value;
}
