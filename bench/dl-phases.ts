// Deep learning's mini-batch phases timed one by one (CPU time), one thread, on a trained network's
// weights (so the rectifier outputs are as sparse as in training): forward, output deltas,
// back-propagation and the ADADELTA update, over rows shaped like bench/deeplearning's
// flights inputs (two one-hot levels of ~600 and four standardised numbers).
//   npx bun bench/dl-phases.ts MODEL.floe [rows]
// MODEL.floe: a [hidden] deep learning model trained on bench/deeplearning's data, e.g. by
// `floe train bench/out/deeplearning-train-200000.csv -y delayed --algo deeplearning --epochs 0.5 --out MODEL.floe`.

import { backwardBatch, forwardBatch, makeBatchWork, outputDeltasBatch, weightsChanged } from "../src/ml/deeplearning/batch.ts";
import type { DeepLearningModel } from "../src/ml/deeplearning/model.ts";
import { auxSize, type Hyper, layout, update } from "../src/ml/deeplearning/network.ts";
import { loadModel } from "../src/ml/modelfile.ts";

const model = loadModel(process.argv[2]) as unknown as DeepLearningModel;
const rows = Number(process.argv[3] ?? 50000);
const spec = model.net;
const lay = layout(spec);
const P = spec.units[0];
const B = 32;
const batch = 96;
const k = makeBatchWork(spec, lay, B);
const w = Float64Array.from(model.weights);
const hyper: Hyper = {
  adaptive: true,
  rho: 0.95,
  epsilon: 1e-6,
  rate: 0,
  rateAnnealing: 0,
  rateDecay: 1,
  momentumStart: 0,
  momentumRamp: 1,
  momentumStable: 0,
  nesterov: false,
  l1: 0,
  l2: 0,
  maxW2: 3.4028235e38,
  fastMode: true,
};
const aux = new Float64Array(auxSize(hyper, lay.size));
const g = new Float64Array(lay.size);
const targets = new Float64Array(B);
// Deterministic rows: two one-hot levels in the enum part, four numbers at the end.
let seed = 12345;
const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
/** This process's CPU time in ms (one thread runs here): steadier than the wall clock on a shared machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = { forward: 0, deltas: 0, backward: 0, update: 0 };
let inBatch = 0;
for (let done = 0; done < rows; done += B) {
  k.a[0].fill(0);
  for (let b = 0; b < B; b++) {
    k.a[0][b * P + Math.floor(next() * (P - 4) * 0.5)] = 1;
    k.a[0][b * P + Math.floor((P - 4) * (0.5 + next() * 0.5))] = 1;
    for (let j = P - 4; j < P; j++) k.a[0][b * P + j] = 2 * next() - 1;
    targets[b] = next() < 0.2 ? 1 : 0;
  }
  let t = cpuMs();
  forwardBatch(spec, lay, w, k, B, true);
  times.forward += cpuMs() - t;
  t = cpuMs();
  outputDeltasBatch(spec, "CrossEntropy", k, B, targets);
  times.deltas += cpuMs() - t;
  t = cpuMs();
  backwardBatch(spec, lay, w, k, B, g);
  times.backward += cpuMs() - t;
  inBatch += B;
  if (inBatch >= batch) {
    t = cpuMs();
    update(lay, hyper, w, aux, g, inBatch, done);
    weightsChanged(k);
    times.update += cpuMs() - t;
    inBatch = 0;
  }
}
const total = times.forward + times.deltas + times.backward + times.update;
console.log(`${rows} rows, units [${spec.units.join(", ")}], blocks of ${B}, an update every ${batch} rows`);
for (const [name, ms] of Object.entries(times)) console.log(`  ${name.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms  ${((1000 * ms) / rows).toFixed(2)} µs a row`);
console.log(`  total     ${total.toFixed(0).padStart(6)} ms  ${Math.round((rows / total) * 1000)} rows/s`);
