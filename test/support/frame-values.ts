// A frame's values as plain JS, for comparing frames read from different sources.

import { expect } from "bun:test";
import { isMissing, stringAt } from "../../src/core/chunk.ts";
import type { Frame } from "../../src/core/frame.ts";

/** Every value of a frame, column by column (enum levels as text, missing as null). */
export function frameValues(frame: Frame): unknown[][] {
  return frame.columns.map((spec, c) =>
    frame.chunks.flatMap((chunk) => {
      const vec = chunk.vecs[c];
      return Array.from({ length: chunk.rows }, (_, r) => {
        if (isMissing(vec, r)) return null;
        if (vec.kind === "codes") return spec.domain?.[vec.codes[r]];
        if (vec.kind === "utf8") return stringAt(vec, r);
        return vec.values[r];
      });
    }),
  );
}

/** The same rows, columns (names, types, domains) and values. */
export function expectSameFrame(a: Frame, b: Frame): void {
  expect(a.rows).toBe(b.rows);
  expect(a.columns).toEqual(b.columns);
  expect(frameValues(a)).toEqual(frameValues(b));
}
