import { expect, test } from "bun:test";
import { sharedBytes } from "../../src/core/memory.ts";

test("sharedBytes counts each shared buffer under a value once, and nothing else", () => {
  const a = new SharedArrayBuffer(800);
  const b = new SharedArrayBuffer(64);
  const partial = {
    hist: new Float64Array(a),
    // a second view of the same buffer is not counted again
    half: new Float64Array(a, 0, 50),
    blocks: [{ qg: new Int32Array(b), filled: new Int32Array(10) }],
    plain: new Float64Array(1000),
    n: 3,
  };
  expect(sharedBytes(partial)).toBe(800 + 64);
  // two levels down only: the block's buffer is out of reach
  expect(sharedBytes(partial, 2)).toBe(800);
  expect(sharedBytes(new Int32Array(new SharedArrayBuffer(40)))).toBe(40);
  expect(sharedBytes(null)).toBe(0);
});
