// The golden predictions: every algorithm trained with a fixed seed on a bundled dataset,
// its model file round trip scored, and a SHA-256 of the scores' bytes. A refactor that
// changes no behaviour keeps every digest; `bun test/ml/golden.ts --write` records them
// (test/ml/golden.json) from the code as it is.

import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "../../src/core/frame.ts";
import { deserializeModel, serializeModel } from "../../src/ml/modelfile.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { predictFrame } from "../../src/ml/scoring.ts";
import type { FloeNode } from "../../src/runtime.ts";
import { VERSION } from "../../src/version.ts";

export const GOLDEN_FILE = join(import.meta.dir, "golden.json");

interface GoldenCase {
  readonly name: string;
  readonly data: "iris" | "penguins";
  readonly algo: string;
  readonly y: string | null;
  readonly x?: readonly string[];
  readonly params: Record<string, unknown>;
  /** Base models (cases above, by name) of a stacked ensemble. */
  readonly bases?: readonly string[];
}

const CV = { nfolds: 3, keep_cross_validation_predictions: true };
const PENGUIN_NUMBERS = ["beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g"];

export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: "gbm multinomial", data: "iris", algo: "gbm", y: "species", params: { ntrees: 10, seed: 1, ...CV } },
  { name: "gbm regression", data: "penguins", algo: "gbm", y: "body_mass_g", params: { ntrees: 10, seed: 2, ...CV } },
  { name: "gbm binomial", data: "penguins", algo: "gbm", y: "sex", params: { ntrees: 10, seed: 3 } },
  { name: "drf multinomial", data: "iris", algo: "drf", y: "species", params: { ntrees: 10, seed: 1, ...CV } },
  { name: "drf regression", data: "penguins", algo: "drf", y: "flipper_length_mm", params: { ntrees: 10, seed: 5 } },
  { name: "xrt", data: "iris", algo: "drf", y: "species", params: { ntrees: 5, seed: 6, histogram_type: "Random" } },
  { name: "xgboost multinomial", data: "iris", algo: "xgboost", y: "species", params: { ntrees: 10, seed: 16, ...CV } },
  { name: "xgboost binomial", data: "penguins", algo: "xgboost", y: "sex", params: { ntrees: 10, seed: 17, reg_alpha: 0.5, col_sample_rate: 0.7 } },
  { name: "glm gaussian", data: "penguins", algo: "glm", y: "body_mass_g", params: { seed: 7, ...CV } },
  { name: "glm binomial lambda search", data: "penguins", algo: "glm", y: "sex", params: { seed: 8, lambda_search: true, nlambdas: 5 } },
  { name: "glm multinomial", data: "iris", algo: "glm", y: "species", params: { seed: 9 } },
  { name: "naivebayes", data: "iris", algo: "naivebayes", y: "species", params: { seed: 10, laplace: 1 } },
  { name: "deeplearning", data: "iris", algo: "deeplearning", y: "species", params: { seed: 1, hidden: [8], epochs: 3, ...CV } },
  { name: "deeplearning regression", data: "penguins", algo: "deeplearning", y: "body_mass_g", params: { seed: 12, hidden: [6, 6], epochs: 2 } },
  { name: "kmeans", data: "penguins", algo: "kmeans", y: null, x: PENGUIN_NUMBERS, params: { k: 3, seed: 13 } },
  { name: "pca", data: "iris", algo: "pca", y: null, x: ["sepal_length", "sepal_width", "petal_length", "petal_width"], params: { k: 2, seed: 14 } },
  { name: "stackedensemble", data: "iris", algo: "stackedensemble", y: "species", params: { seed: 15 }, bases: ["gbm multinomial", "drf multinomial", "deeplearning"] },
];

/** Each case's digest of its predictions (scored through a model file round trip). */
export async function goldenDigests(node: FloeNode, frames: Record<GoldenCase["data"], Frame>): Promise<Record<string, string>> {
  const trained = new Map<string, Awaited<ReturnType<NonNullable<ReturnType<typeof algorithm>>["train"]>>>();
  const digests: Record<string, string> = {};
  for (const c of GOLDEN_CASES) {
    const frame = frames[c.data];
    const baseModels = c.bases?.map((name) => {
      const t = trained.get(name);
      if (!t?.cvPredictions) throw new Error(`golden case ${c.name}: base ${name} has no CV predictions`);
      return { model: t.model, cvPredictions: t.cvPredictions };
    });
    const algo = algorithm(c.algo);
    if (!algo) throw new Error(`no algorithm ${c.algo}`);
    const result = await algo.train(node.executor, { modelId: c.name.replaceAll(" ", "_"), frame, y: c.y, x: c.x ?? null, params: c.params, baseModels });
    trained.set(c.name, result);
    const model = deserializeModel(serializeModel(result.model, VERSION), c.name);
    const hash = createHash("sha256");
    for (const sc of await predictFrame(node.executor, model, frame, [])) hash.update(new Uint8Array(sc.p.buffer, sc.p.byteOffset, sc.p.byteLength));
    digests[c.name] = hash.digest("hex");
  }
  return digests;
}

if (import.meta.main && process.argv.includes("--write")) {
  const { FloeNode } = await import("../../src/runtime.ts");
  const fixtures = join(import.meta.dir, "..", "..", "fixtures");
  const node = new FloeNode({ threads: 2 });
  try {
    const load = async (file: string, naStrings?: string[]) => (await node.importFrame({ kind: "file", path: join(fixtures, file) }, { naStrings }).done).frame;
    const digests = await goldenDigests(node, { iris: await load("iris.csv"), penguins: await load("penguins.csv", ["NA", "."]) });
    writeFileSync(GOLDEN_FILE, `${JSON.stringify(digests, null, 2)}\n`);
    console.log(`wrote ${Object.keys(digests).length} digests to ${GOLDEN_FILE}`);
  } finally {
    await node.close();
  }
}
