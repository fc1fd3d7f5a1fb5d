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

/** A seed drawn from the operating system, for callers that were given none. */
export function randomSeed(): number {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (words[0] & 0x1fffff) * TWO_32 + words[1];
}
