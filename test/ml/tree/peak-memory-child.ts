// Run by peak-memory.test.ts in a fresh process: one step a deep forest's training ends
// with, on inputs of a deep forest's size, printing (as JSON) how far the process's peak
// resident set rose above what it held before the step, and the step's result.
// Usage: bun peak-memory-child.ts thresholds|save

import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { binomialMetrics } from "../../../src/ml/metrics/binomial.ts";
import { serializeModel } from "../../../src/ml/modelfile.ts";
import type { Model } from "../../../src/ml/scoring.ts";

/**
 * What a training holds when its last steps run (the view, the trees): 512 MB of shared
 * memory, written so that it is resident. The collector lets garbage grow in proportion to
 * what is live, so a step's garbage shows in the peak only beside as much live memory.
 */
const live = Array.from({ length: 8 }, () => new Uint8Array(new SharedArrayBuffer(64 * 1024 ** 2)).fill(1));

/** The process's peak resident set since the last reset (VmHWM), in bytes. */
function highWater(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  if (kb === undefined) throw new Error("no VmHWM in /proc/self/status");
  return Number(kb) * 1024;
}

/**
 * Bytes the peak resident set rose during `step` above the resident set before it. The peak
 * is reset first (clear_refs 5): getrusage's maxRSS would also count the parent's resident
 * set, which a spawned child inherits as its starting high-water mark.
 */
function peakRise<T>(step: () => T): { rise: number; result: T } {
  Bun.gc(true);
  writeFileSync("/proc/self/clear_refs", "5");
  const before = process.memoryUsage.rss();
  const result = step();
  const rise = highWater() - before;
  if (live.length !== 8) throw new Error("the live memory went");
  return { rise, result };
}

const which = process.argv[2];
if (which === "thresholds") {
  // A million positives and a million negatives, all distinct (a forest's averaged
  // out-of-bag scores are): positive i at (2i + 1) / (2n + 1), negative i at 2i / (2n + 1).
  const n = 1_000_000;
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pos[i] = (2 * i + 1) / (2 * n + 1);
    neg[i] = (2 * i) / (2 * n + 1);
  }
  const { rise, result } = peakRise(() => binomialMetrics({ pos: [pos], neg: [neg], sums: [] }));
  console.log(JSON.stringify({ rise, auc: result.AUC, rows: result.thresholds_and_metric_scores.length, maxF1Threshold: result.max_f1_threshold }));
} else if (which === "save") {
  // 268 MB of tree arrays (a 35-tree depth-20 forest on flights holds about that) of a
  // repeating pattern: the file is small, so what saving holds beyond it is its staging. One
  // array is larger than a gzip member.
  const trees = Array.from({ length: 32 }, (_, t) => ({ value: new Float64Array(1 << 20).fill(t), left: new Int32Array(1 << 21).fill(-t) }));
  const large = new Uint8Array(12 * 1024 ** 2).map((_, i) => (i * 7) & 0xff);
  trees.splice(16, 0, { value: new Float64Array(large.buffer), left: new Int32Array(1) });
  const { rise, result } = peakRise(() => serializeModel({ algo: "drf", iterations: [trees] } as unknown as Model, "test"));
  // The file ends with the arrays' bytes in order.
  const content = gunzipSync(result);
  let at = content.byteLength - trees.reduce((n, t) => n + t.value.byteLength + t.left.byteLength, 0);
  let inOrder = true;
  for (const t of trees) {
    for (const a of [t.value, t.left]) {
      inOrder &&= Buffer.compare(content.subarray(at, at + a.byteLength), new Uint8Array(a.buffer)) === 0;
      at += a.byteLength;
    }
  }
  console.log(JSON.stringify({ rise, bytes: result.byteLength, inOrder }));
}
