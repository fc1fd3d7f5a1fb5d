// Routing rows to leaves: routeRows (a block of rows a level at a time) and routeRowsGrouped
// (rows split down the tree a node at a time) against a walk of each row written here from the
// tree's own arrays, on a random deep tree with numeric and categorical splits and missing bins.

import { describe, expect, test } from "bun:test";
import { Rng } from "../../../src/core/rng.ts";
import { bitsetBytes, routeRows, routeRowsGrouped, routersFor, splitDirections, type Tree } from "../../../src/ml/tree/tree.ts";

const BINS = 20;
const FEATURES = 3;
/** Feature 2 is categorical; bin BINS − 1 is every feature's missing bin. */
const missingBin = Int32Array.from({ length: FEATURES }, () => BINS - 1);

/** A random tree: each node splits (children made in pairs) until `depth`, or stops at random. */
function randomTree(rand: () => number, depth: number): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const naLeft: number[] = [];
  const catOffset: number[] = [];
  const left: number[] = [];
  const catBits: number[] = [];
  const grow = (n: number, d: number) => {
    if (d === depth || (d > 2 && rand() < 0.05)) {
      feature[n] = -1;
      return;
    }
    const f = Math.floor(rand() * FEATURES);
    feature[n] = f;
    threshold[n] = Math.floor(rand() * (BINS - 1));
    naLeft[n] = rand() < 0.5 ? 1 : 0;
    catOffset[n] = -1;
    if (f === 2) {
      catOffset[n] = catBits.length;
      for (let b = 0; b < bitsetBytes(BINS); b++) catBits.push(Math.floor(rand() * 256));
    }
    left[n] = feature.length;
    feature.push(-1, -1);
    grow(left[n], d + 1);
    grow(left[n] + 1, d + 1);
  };
  feature.push(-1);
  grow(0, 0);
  const nodes = feature.length;
  const fill = (a: number[], v: number) => Array.from({ length: nodes }, (_, i) => a[i] ?? v);
  return {
    feature: Int32Array.from(feature),
    threshold: Int32Array.from(fill(threshold, 0)),
    naLeft: Uint8Array.from(fill(naLeft, 0)),
    catOffset: Int32Array.from(fill(catOffset, -1)),
    left: Int32Array.from(fill(left, -1)),
    right: Int32Array.from(fill(left, -2), (l) => l + 1),
    value: new Float64Array(nodes),
    catBits: Uint8Array.from(catBits),
  };
}

/** Row i's leaf, walked from the root by the tree's arrays (the rule in tree.ts's header). */
function walk(t: Tree, bins: Uint16Array[], i: number): number {
  let n = 0;
  while (t.feature[n] >= 0) {
    const f = t.feature[n];
    const b = bins[f][i];
    let goLeft: boolean;
    if (t.catOffset[n] >= 0) goLeft = ((t.catBits[t.catOffset[n] + (b >> 3)] >> (b & 7)) & 1) === 1;
    else if (b === missingBin[f]) goLeft = t.naLeft[n] === 1;
    else goLeft = b <= t.threshold[n];
    n = goLeft ? t.left[n] : t.right[n];
  }
  return n;
}

describe("routing rows to leaves", () => {
  const rng = new Rng(7);
  const rand = () => rng.next();
  const tree = randomTree(rand, 16);
  const rows = 5000;
  const bins = Array.from({ length: FEATURES }, () => Uint16Array.from({ length: rows }, () => Math.floor(rand() * BINS)));
  const router = routersFor({}, [[tree]])[0][0];
  const expected = Int32Array.from({ length: rows }, (_, i) => walk(tree, bins, i));

  test("the tree is deep and its rows reach many leaves", () => {
    expect(new Set(expected).size).toBeGreaterThan(200);
  });

  test("routeRows gives every row its leaf", () => {
    const leaves = new Int32Array(rows);
    routeRows(router, bins, missingBin, null, rows, leaves);
    expect(leaves).toEqual(expected);
  });

  test("routeRowsGrouped gives a subset of rows, in any order, their leaves", () => {
    // Every third row, shuffled: the rows a score pass routes need not be all, nor in order.
    const subset = Int32Array.from({ length: Math.ceil(rows / 3) }, (_, j) => 3 * j);
    for (let j = subset.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [subset[j], subset[k]] = [subset[k], subset[j]];
    }
    const routed = subset.slice();
    const leaves = new Int32Array(routed.length);
    routeRowsGrouped(router, bins, missingBin, routed, routed.length, leaves);
    expect([...routed].sort((a, b) => a - b)).toEqual([...subset].sort((a, b) => a - b));
    const got = new Int32Array(rows).fill(-1);
    for (let j = 0; j < routed.length; j++) got[routed[j]] = leaves[j];
    for (const i of subset) expect(got[i]).toBe(expected[i]);
  });

  test("routeRowsGrouped of no rows and of a single leaf", () => {
    routeRowsGrouped(router, bins, missingBin, new Int32Array(0), 0, new Int32Array(0));
    const stump = routersFor({}, [[randomTree(rand, 0)]])[0][0];
    const all = Int32Array.from({ length: rows }, (_, i) => i);
    const leaves = new Int32Array(rows).fill(-1);
    routeRowsGrouped(stump, bins, missingBin, all, rows, leaves);
    expect(leaves.every((l) => l === 0)).toBe(true);
  });
});

test("a split's table of sides: numeric bins above the threshold go right and the missing bin its way; categorical bins left when their bit is set", () => {
  // numeric: threshold 3 over bins 0..6, 6 the missing bin, sent right (na 1) then left (na 0)
  expect(Array.from(splitDirections(new Uint8Array(0), -1, 3, 6, 1).subarray(0, 7))).toEqual([0, 0, 0, 0, 1, 1, 1]);
  expect(Array.from(splitDirections(new Uint8Array(0), -1, 3, 6, 0).subarray(0, 7))).toEqual([0, 0, 0, 0, 1, 1, 0]);
  // categorical: bins 1, 4 and 9 (bits of bytes 2 and 3 of the sets) go left, the rest right
  const bits = Uint8Array.of(0xff, 0xff, 0b00010010, 0b00000010);
  expect(Array.from(splitDirections(bits, 2, 0, 10, 0).subarray(0, 11))).toEqual([1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1]);
});
