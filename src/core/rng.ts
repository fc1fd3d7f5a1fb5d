// Seeded randomness that does not depend on how rows fall into chunks, threads or
// nodes: a row's draw is a hash of the seed and its global row id, never the next
// value of a stream consumed in scan order.

/** murmur3's 32-bit finaliser: a bijective avalanche on 32 bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_32 = 4294967296;

/** The 32-bit state a seed contributes to every row draw (seed: any safe integer). */
export function seedState(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  return fmix32(fmix32(lo ^ 0x9e3779b9) ^ Math.imul(hi, 0x27d4eb2f));
}

/**
 * A uniform draw in [0, 1) for global row id `row` (an integer below 2^53) under a
 * seed state from seedState(). Same (seed, row) → same draw, on any machine.
 */
export function rowUniform(state: number, row: number): number {
  const lo = row >>> 0;
  const hi = (row / TWO_32) >>> 0;
  return fmix32(fmix32(state ^ lo) + Math.imul(hi, 0x165667b1)) / TWO_32;
}

/**
 * A dither in [0, 1) for global row id `row` under a 32-bit state: the Weyl sequence
 * frac(state / 2^32 + row · (golden ratio − 1)) in integer arithmetic (ids wrap at 2^32).
 * Consecutive rows spread evenly over [0, 1), so floor(x + dither) over a run of rows sums
 * to within one of their exact sum; at a multiply a row, far cheaper than rowUniform's hash.
 */
export function rowDither(state: number, row: number): number {
  return (ditherWord(state, row) >>> 0) / TWO_32;
}

/** The golden-ratio step of rowDither's sequence, in 32-bit integers. */
export const DITHER_STEP = 0x9e3779b9 | 0;

/**
 * rowDither's 32-bit word for row `row` (as an int32; unsigned, over 2^32, it is the dither):
 * a loop over consecutive rows steps it by adding DITHER_STEP (| 0) instead of a multiply a row.
 */
export function ditherWord(state: number, row: number): number {
  return (Math.imul(row, 0x9e3779b9) + state) | 0;
}

/** A seed drawn from the operating system, for callers that were given none. */
export function randomSeed(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (words[0] & 0x1fffff) * TWO_32 + words[1];
}

/**
 * A small seeded generator (mulberry32) for the few draws an algorithm makes outside
 * row loops: feature subsets, random thresholds. Seed it from seedState of a key that
 * names the draw (seed, tree, node), never from the order work happens in.
 */
export class Rng {
  private state: number;

  constructor(state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `k` distinct integers of [0, n), ascending (partial Fisher–Yates). */
  sample(n: number, k: number): number[] {
    const m = Math.min(k, n);
    const a: number[] = [];
    for (let i = 0; i < n; i++) a.push(i);
    for (let i = 0; i < m; i++) {
      const j = i + this.int(n - i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    a.length = m;
    if (m > 32) return a.sort((x, y) => x - y);
    // Insertion sort for the few features a tree node draws (a comparator sort cost more than the draw).
    for (let i = 1; i < m; i++) {
      const x = a[i];
      let j = i - 1;
      for (; j >= 0 && a[j] > x; j--) a[j + 1] = a[j];
      a[j + 1] = x;
    }
    return a;
  }
}

/** A seed state for a draw named by integers (seed, tree, node, …). */
export function keyState(...parts: number[]): number {
  let s = seedState(parts[0] ?? 0);
  for (let i = 1; i < parts.length; i++) s = fmix32(s ^ Math.imul(parts[i] + 0x9e3779b9, 0x85ebca6b));
  return s;
}
