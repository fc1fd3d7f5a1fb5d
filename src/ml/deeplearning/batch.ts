// The network over a mini-batch of rows at once: forward pass, output deltas and
// back-propagation as dense matrix products over the batch's rows (B × units, row-major),
// blocked so that a weight loaded from memory serves four rows. Mostly-zero inputs (one-hot
// enum levels) take a sparse path: a row's net input sums only its nonzero inputs, and a
// weight's gradient only gets the rows where its input is nonzero.
//
// Signs follow H2O (see network.ts): a delta is −dLoss/dnet, and the gradient buffer gets
// delta · input, summed over the batch's rows.

import type { Layout, Loss, NetSpec } from "./network.ts";

/** Inputs denser than this go through the dense product (hidden layers always do). */
const SPARSE_INPUTS = 0.25;

/** A mini-batch's working arrays, each rows × units of its layer (row-major), allocated once. */
export interface BatchWork {
  /** Rows the arrays hold. */
  readonly capacity: number;
  /** Activations of layers 0..L (the inputs first). */
  readonly a: Float64Array[];
  /** Net inputs of each weight row of layers 1..L (index 0 unused). */
  readonly z: Float64Array[];
  /** Deltas (−dLoss/dnet) of each weight row of layers 1..L (index 0 unused). */
  readonly d: Float64Array[];
  /** Back-propagated errors (−dLoss/da) of the units of hidden layers. */
  readonly e: Float64Array[];
  /** Dropout: 1 for the hidden units of layers 1..L−1 kept in a training row (index 0 unused). */
  readonly keep: Uint8Array[];
  /** The inputs' nonzeros, row after row (row b's are nzStart[b]..nzStart[b + 1]). */
  readonly nzIndex: Int32Array;
  readonly nzValue: Float64Array;
  readonly nzStart: Int32Array;
  /**
   * Weight layers 2..L transposed (fan-in rows of R weights, then fan-in zero biases; index
   * l − 1 for layer l): backError's operands, made once for the weights of a mini-batch.
   */
  readonly wT: Float64Array[];
  /** Whether wT holds other weights than the next backward pass's (see weightsChanged). */
  wTStale: boolean;
  /** denseNet's lists of a block of four rows: the inputs it sums, the outputs it computes. */
  readonly cols: Int32Array;
  readonly outs: Int32Array;
  /** denseGradient's inputs to add for each block of four rows (fan-in apart), and their counts. */
  readonly blockCols: Int32Array;
  readonly blockColCount: Int32Array;
}

export function makeBatchWork(spec: NetSpec, lay: Layout, capacity: number): BatchWork {
  const L = spec.units.length - 1;
  const rowsOf = (l: number) => (l === 0 ? 0 : lay.rows[l - 1]);
  const P = spec.units[0];
  // denseNet runs blocks of four rows: the row arrays hold whole blocks.
  const blocks = Math.ceil(capacity / 4);
  const padded = 4 * blocks;
  const widest = Math.max(...spec.units, ...lay.rows);
  return {
    capacity,
    a: spec.units.map((u) => new Float64Array(padded * u)),
    z: spec.units.map((_, l) => new Float64Array(padded * rowsOf(l))),
    d: spec.units.map((_, l) => new Float64Array(padded * rowsOf(l))),
    e: spec.units.map((u, l) => new Float64Array(l > 0 && l < L ? padded * u : 0)),
    keep: spec.units.map((u, l) => new Uint8Array(l > 0 && l < L ? capacity * u : 0).fill(1)),
    nzIndex: new Int32Array(capacity * P),
    nzValue: new Float64Array(capacity * P),
    nzStart: new Int32Array(capacity + 1),
    wT: Array.from(lay.rows, (R, l) => new Float64Array(l > 0 ? R * lay.fanIn[l] + lay.fanIn[l] : 0)),
    wTStale: true,
    cols: new Int32Array(widest),
    outs: new Int32Array(widest),
    blockCols: new Int32Array(blocks * widest),
    blockColCount: new Int32Array(blocks),
  };
}

/** Lists the nonzero inputs of the batch's B rows; true when they are few enough for the sparse path. */
function indexInputs(k: BatchWork, B: number, P: number): boolean {
  const x = k.a[0];
  let m = 0;
  for (let b = 0; b < B; b++) {
    k.nzStart[b] = m;
    const base = b * P;
    for (let j = 0; j < P; j++) {
      const v = x[base + j];
      if (v !== 0) {
        k.nzIndex[m] = j;
        k.nzValue[m++] = v;
      }
    }
  }
  k.nzStart[B] = m;
  return m < SPARSE_INPUTS * B * P;
}

/** Writes the indices j < F where any of the `n` rows of `x` from `at` (row stride F) is nonzero, in order; returns their count. */
function nonzeroColumns(x: Float64Array, at: number, n: number, F: number, out: Int32Array, outAt: number): number {
  let m = 0;
  for (let j = 0; j < F; j++) {
    let any = false;
    for (let i = 0; i < n; i++) if (x[at + i * F + j] !== 0) any = true;
    if (any) out[outAt + m++] = j;
  }
  return m;
}

/** Writes the indices r < R where any of the `n` rows of `x` from `at` (row stride R) is positive, in order; returns their count. */
function positiveColumns(x: Float64Array, at: number, n: number, R: number, out: Int32Array): number {
  let m = 0;
  for (let r = 0; r < R; r++) {
    let any = false;
    for (let i = 0; i < n; i++) if (x[at + i * R + r] > 0) any = true;
    if (any) out[m++] = r;
  }
  return m;
}

function allColumns(F: number, out: Int32Array, outAt: number): number {
  for (let j = 0; j < F; j++) out[outAt + j] = j;
  return F;
}

/**
 * z (B × R) = prev (B × F) · Wᵀ + bias, W being R rows of F weights from `wo`: each z a sum
 * over j in order, then its bias. Rows go four at a time (the arrays hold whole blocks of
 * four: a short last block computes rows past B that nobody reads).
 * - A block sums only the j where one of its rows has a nonzero input (a rectifier layer's
 *   outputs are mostly zeros: about three in four on flights). The skipped terms are exact
 *   zeros, and adding ±0 to a sum that starts at +0 never changes it: the same bits as the
 *   whole sum.
 * - `needed` (B × R): a block computes only the z whose `needed` is positive in one of its
 *   rows (back-propagation into a rectifier layer: the other errors are multiplied by 0).
 */
function denseNet(w: Float64Array, wo: number, bo: number, R: number, F: number, prev: Float64Array, z: Float64Array, B: number, k: BatchWork, needed: Float64Array | null): void {
  const cols = k.cols;
  const outs = k.outs;
  for (let b = 0; b < B; b += 4) {
    const n = Math.min(4, B - b);
    const p0 = b * F;
    const p1 = p0 + F;
    const p2 = p1 + F;
    const p3 = p2 + F;
    const J = nonzeroColumns(prev, p0, n, F, cols, 0);
    const T = needed ? positiveColumns(needed, b * R, n, R, outs) : allColumns(R, outs, 0);
    const z0 = b * R;
    const z1 = z0 + R;
    const z2 = z1 + R;
    const z3 = z2 + R;
    let t = 0;
    // Four weight rows by four batch rows: eight loads for sixteen products (measured 1.6x
    // the two-by-four tile's speed on 200 x 200; each sum still runs over j in order).
    for (; t + 4 <= T; t += 4) {
      const ra = outs[t];
      const rb = outs[t + 1];
      const rc = outs[t + 2];
      const re = outs[t + 3];
      const u = wo + ra * F;
      const v = wo + rb * F;
      const q = wo + rc * F;
      const y = wo + re * F;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      let e0 = 0;
      let e1 = 0;
      let e2 = 0;
      let e3 = 0;
      for (let s = 0; s < J; s++) {
        const j = cols[s];
        const x0 = prev[p0 + j];
        const x1 = prev[p1 + j];
        const x2 = prev[p2 + j];
        const x3 = prev[p3 + j];
        const wa = w[u + j];
        a0 += wa * x0;
        a1 += wa * x1;
        a2 += wa * x2;
        a3 += wa * x3;
        const wb = w[v + j];
        b0 += wb * x0;
        b1 += wb * x1;
        b2 += wb * x2;
        b3 += wb * x3;
        const wc = w[q + j];
        c0 += wc * x0;
        c1 += wc * x1;
        c2 += wc * x2;
        c3 += wc * x3;
        const we = w[y + j];
        e0 += we * x0;
        e1 += we * x1;
        e2 += we * x2;
        e3 += we * x3;
      }
      const ba = w[bo + ra];
      const bb = w[bo + rb];
      const bc = w[bo + rc];
      const be = w[bo + re];
      z[z0 + ra] = a0 + ba;
      z[z1 + ra] = a1 + ba;
      z[z2 + ra] = a2 + ba;
      z[z3 + ra] = a3 + ba;
      z[z0 + rb] = b0 + bb;
      z[z1 + rb] = b1 + bb;
      z[z2 + rb] = b2 + bb;
      z[z3 + rb] = b3 + bb;
      z[z0 + rc] = c0 + bc;
      z[z1 + rc] = c1 + bc;
      z[z2 + rc] = c2 + bc;
      z[z3 + rc] = c3 + bc;
      z[z0 + re] = e0 + be;
      z[z1 + re] = e1 + be;
      z[z2 + re] = e2 + be;
      z[z3 + re] = e3 + be;
    }
    for (; t < T; t++) {
      const r = outs[t];
      const base = wo + r * F;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let s = 0; s < J; s++) {
        const j = cols[s];
        const wj = w[base + j];
        s0 += wj * prev[p0 + j];
        s1 += wj * prev[p1 + j];
        s2 += wj * prev[p2 + j];
        s3 += wj * prev[p3 + j];
      }
      const bias = w[bo + r];
      z[z0 + r] = s0 + bias;
      z[z1 + r] = s1 + bias;
      z[z2 + r] = s2 + bias;
      z[z3 + r] = s3 + bias;
    }
  }
}

/** z (B × R) from the listed nonzero inputs only. */
function sparseNet(w: Float64Array, wo: number, bo: number, R: number, F: number, k: BatchWork, z: Float64Array, B: number): void {
  for (let b = 0; b < B; b++) {
    const from = k.nzStart[b];
    const to = k.nzStart[b + 1];
    for (let r = 0; r < R; r++) {
      const base = wo + r * F;
      let s = 0;
      for (let t = from; t < to; t++) s += w[base + k.nzIndex[t]] * k.nzValue[t];
      z[b * R + r] = s + w[bo + r];
    }
  }
}

/**
 * Forward pass of B rows from the inputs in `k.a[0]` to the outputs in `k.a[L]` (class
 * probabilities, or the linear output). Training drops the hidden units whose `keep` is 0;
 * scoring scales hidden activations by 1 − their dropout ratio instead.
 */
export function forwardBatch(spec: NetSpec, lay: Layout, w: Float64Array, k: BatchWork, B: number, training: boolean): void {
  const L = spec.units.length - 1;
  const maxout = spec.activation === "Maxout";
  const tanh = spec.activation === "Tanh";
  const sparse = indexInputs(k, B, spec.units[0]);
  for (let l = 1; l <= L; l++) {
    const z = k.z[l];
    const a = k.a[l];
    const R = lay.rows[l - 1];
    const F = lay.fanIn[l - 1];
    if (l === 1 && sparse) sparseNet(w, lay.wOff[0], lay.bOff[0], R, F, k, z, B);
    else denseNet(w, lay.wOff[l - 1], lay.bOff[l - 1], R, F, k.a[l - 1], z, B, k, null);
    if (l === L) {
      if (spec.softmax) for (let b = 0; b < B; b++) softmax(z, a, b * R, R);
      else a.set(z.subarray(0, B));
      continue;
    }
    const U = spec.units[l];
    const keep = k.keep[l];
    const scale = training ? 1 : 1 - spec.hiddenDropout[l - 1];
    if (maxout) for (let i = 0; i < B * U; i++) a[i] = Math.max(z[2 * i], z[2 * i + 1]) * scale;
    else if (tanh) for (let i = 0; i < B * U; i++) a[i] = Math.tanh(z[i]) * scale;
    else for (let i = 0; i < B * U; i++) a[i] = (z[i] > 0 ? z[i] : 0) * scale;
    if (training && spec.hiddenDropout[l - 1] > 0) for (let i = 0; i < B * U; i++) if (keep[i] === 0) a[i] = 0;
  }
}

function softmax(z: Float64Array, a: Float64Array, from: number, K: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = from; c < from + K; c++) if (z[c] > max) max = z[c];
  let sum = 0;
  for (let c = from; c < from + K; c++) {
    a[c] = Math.exp(z[c] - max);
    sum += a[c];
  }
  for (let c = from; c < from + K; c++) a[c] /= sum;
}

/**
 * The output deltas of B rows (after `forwardBatch`) for their targets: class codes (softmax)
 * or responses in the network's units (linear). H2O's gradients: CrossEntropy t − p;
 * Quadratic, Absolute and Huber through the softmax's diagonal, or of the linear output.
 */
export function outputDeltasBatch(spec: NetSpec, loss: Loss, k: BatchWork, B: number, targets: Float64Array): void {
  const L = spec.units.length - 1;
  const o = k.a[L];
  const d = k.d[L];
  const K = spec.units[L];
  for (let b = 0; b < B; b++) {
    const target = targets[b];
    if (!spec.softmax) {
      const y = o[b];
      if (loss === "Absolute") d[b] = y > target ? -1 : 1;
      else if (loss === "Huber") d[b] = Math.abs(y - target) < 1 ? target - y : y >= target + 1 ? -2 : 2;
      else d[b] = target - y;
      continue;
    }
    for (let c = 0; c < K; c++) {
      const i = b * K + c;
      const t = c === target ? 1 : 0;
      const y = o[i];
      if (loss === "CrossEntropy") d[i] = t - y;
      else if (loss === "Quadratic") d[i] = (t - y) * (1 - y) * y;
      else if (loss === "Absolute") d[i] = (2 * t - 1) * (1 - y) * y;
      else d[i] = (t === 0 ? (y < 0.5 ? -4 * y : -2) : y > 0.5 ? 4 * (1 - y) : 2) * (1 - y) * y;
    }
  }
}

/**
 * g's R × F weights += Dᵀ (R × B) · prev (B × F), two weight rows by four batch rows at a
 * time. As in denseNet, a block of four rows adds only the j where one of them has a nonzero
 * input (the skipped terms add ±0: the same bits).
 */
function denseGradient(g: Float64Array, wo: number, R: number, F: number, d: Float64Array, prev: Float64Array, B: number, k: BatchWork): void {
  const blocks = B >> 2;
  const lists = k.blockCols;
  const counts = k.blockColCount;
  for (let q = 0; q < blocks; q++) counts[q] = nonzeroColumns(prev, 4 * q * F, 4, F, lists, q * F);
  let r = 0;
  for (; r + 2 <= R; r += 2) {
    const u = wo + r * F;
    const v = u + F;
    for (let q = 0; q < blocks; q++) {
      const b = 4 * q;
      const d0 = d[b * R + r];
      const d1 = d[(b + 1) * R + r];
      const d2 = d[(b + 2) * R + r];
      const d3 = d[(b + 3) * R + r];
      const e0 = d[b * R + r + 1];
      const e1 = d[(b + 1) * R + r + 1];
      const e2 = d[(b + 2) * R + r + 1];
      const e3 = d[(b + 3) * R + r + 1];
      if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0 && e0 === 0 && e1 === 0 && e2 === 0 && e3 === 0) continue;
      const p0 = b * F;
      const p1 = p0 + F;
      const p2 = p1 + F;
      const p3 = p2 + F;
      const at = q * F;
      const J = counts[q];
      for (let s = 0; s < J; s++) {
        const j = lists[at + s];
        const x0 = prev[p0 + j];
        const x1 = prev[p1 + j];
        const x2 = prev[p2 + j];
        const x3 = prev[p3 + j];
        g[u + j] += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3;
        g[v + j] += e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3;
      }
    }
    for (let b = 4 * blocks; b < B; b++) {
      const d0 = d[b * R + r];
      const e0 = d[b * R + r + 1];
      const p = b * F;
      for (let j = 0; j < F; j++) {
        g[u + j] += d0 * prev[p + j];
        g[v + j] += e0 * prev[p + j];
      }
    }
  }
  for (; r < R; r++) {
    const base = wo + r * F;
    for (let b = 0; b < B; b++) {
      const dr = d[b * R + r];
      if (dr === 0) continue;
      const p = b * F;
      for (let j = 0; j < F; j++) g[base + j] += dr * prev[p + j];
    }
  }
}

/** The same gradient from the listed nonzero inputs only. */
function sparseGradient(g: Float64Array, wo: number, R: number, F: number, d: Float64Array, k: BatchWork, B: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = k.nzStart[b]; t < k.nzStart[b + 1]; t++) {
      const j = wo + k.nzIndex[t];
      const v = k.nzValue[t];
      for (let r = 0; r < R; r++) g[j + r * F] += d[b * R + r] * v;
    }
  }
}

/**
 * e (B × F) = D (B × R) · W (R × F): the errors a layer sends back, by denseNet over Wᵀ (F
 * rows of R weights, zero biases). `active`: the previous layer's rectifier outputs, whose
 * zeros make their errors unused (a block computes only the units one of its rows has active).
 */
function backError(wT: Float64Array, R: number, F: number, d: Float64Array, e: Float64Array, B: number, k: BatchWork, active: Float64Array | null): void {
  denseNet(wT, 0, F * R, F, R, d, e, B, k, active);
}

/** Writes weight layers 2..L transposed into k.wT. */
function transposeWeights(lay: Layout, w: Float64Array, k: BatchWork): void {
  for (let l = 1; l < lay.rows.length; l++) {
    const R = lay.rows[l];
    const F = lay.fanIn[l];
    const wo = lay.wOff[l];
    const wT = k.wT[l];
    for (let r = 0; r < R; r++) for (let j = 0; j < F; j++) wT[j * R + r] = w[wo + r * F + j];
    wT.fill(0, F * R, F * R + F);
  }
  k.wTStale = false;
}

/** Tells a batch's work arrays that the weights changed (after an update): the next backward pass transposes them anew. */
export function weightsChanged(k: BatchWork): void {
  k.wTStale = true;
}

/**
 * Back-propagates the output deltas of B rows through the layers (with the weights `w` the
 * forward pass used) and adds each weight's Σ delta · input, and each bias's Σ delta, into `g`.
 * A caller that changes `w` between backward passes calls weightsChanged(k).
 */
export function backwardBatch(spec: NetSpec, lay: Layout, w: Float64Array, k: BatchWork, B: number, g: Float64Array): void {
  const L = spec.units.length - 1;
  const maxout = spec.activation === "Maxout";
  const tanh = spec.activation === "Tanh";
  const rectifier = spec.activation === "Rectifier";
  // The forward pass listed the inputs' nonzeros and took the sparse path on the same test.
  const sparse = k.nzStart[B] < SPARSE_INPUTS * B * spec.units[0];
  if (k.wTStale) transposeWeights(lay, w, k);
  for (let l = L; l >= 1; l--) {
    const d = k.d[l];
    const R = lay.rows[l - 1];
    const F = lay.fanIn[l - 1];
    const wo = lay.wOff[l - 1];
    const bo = lay.bOff[l - 1];
    if (l === 1 && sparse) sparseGradient(g, wo, R, F, d, k, B);
    else denseGradient(g, wo, R, F, d, k.a[l - 1], B, k);
    for (let b = 0; b < B; b++) for (let r = 0; r < R; r++) g[bo + r] += d[b * R + r];
    if (l === 1) break;
    const e = k.e[l - 1];
    backError(k.wT[l - 1], R, F, d, e, B, k, rectifier ? k.a[l - 1] : null);
    const dp = k.d[l - 1];
    const ap = k.a[l - 1];
    const zp = k.z[l - 1];
    const keep = k.keep[l - 1];
    for (let i = 0; i < B * F; i++) {
      const kept = keep[i] === 1;
      if (maxout) {
        const first = zp[2 * i] >= zp[2 * i + 1];
        dp[2 * i] = kept && first ? e[i] : 0;
        dp[2 * i + 1] = kept && !first ? e[i] : 0;
      } else if (!kept) dp[i] = 0;
      else if (tanh) dp[i] = e[i] * (1 - ap[i] * ap[i]);
      else dp[i] = ap[i] > 0 ? e[i] : 0;
    }
  }
}
