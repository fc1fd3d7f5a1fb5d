// The distributed executor and frame placement, on an in-process cluster (the transport
// calls the other nodes' handlers; every message goes through the wire encoding). The
// reference is the same work on one ordinary node: models must be bit-identical (trees)
// or agree to 1e-10 (GLM coefficients), with or without a node dying mid-training.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Chunk } from "../../src/core/chunk.ts";
import type { Frame } from "../../src/core/frame.ts";
import type { Executor } from "../../src/core/mr.ts";
import type { GlmModel } from "../../src/ml/glm/model.ts";
import type { KMeansModel } from "../../src/ml/kmeans/model.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { type Model, predictFrame } from "../../src/ml/scoring.ts";
import type { FloeNode } from "../../src/runtime.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { FIXTURES, testNode } from "../support/node.ts";

const penguins = join(FIXTURES, "penguins.csv");
const opts = { chunkRows: 40, naStrings: ["NA", "."] };

async function load(node: FloeNode): Promise<Frame> {
  return (await node.importFrame({ kind: "file", path: penguins }, opts).done).frame;
}

async function train(executor: Executor, frame: Frame, algo: string, y: string | null, params: Record<string, unknown>): Promise<Model> {
  const a = algorithm(algo);
  if (!a) throw new Error(algo);
  return (await a.train(executor, { modelId: algo, frame, y, x: null, params })).model;
}

/** Every prediction of a model on a frame, as one array (compared bit for bit). */
async function predictions(executor: Executor, model: Model, frame: Frame): Promise<Float64Array> {
  const scored = await predictFrame(executor, model, frame, []);
  const out: number[] = [];
  for (const s of scored) out.push(...s.p);
  return Float64Array.from(out);
}

const bits = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

/** A chunk's data as hex, whatever kind of buffer holds it. */
const chunkBits = (c: Chunk) => c.vecs.map((v) => (v.kind === "f64" ? bits(v.values) : v.kind === "codes" ? bits(v.codes) : bits(v.bytes) + bits(v.offsets)));

const single = testNode(2);
const cluster = memoryCluster(3);
const [coordinator] = cluster.nodes;

describe("frames over a cluster", () => {
  test("an import spreads two copies of each chunk; every node lists the frame and can gather it whole", async () => {
    const local = await load(single);
    const spread = await load(coordinator);
    expect(spread.chunks.length).toBe(9);
    for (let i = 0; i < spread.chunks.length; i++) {
      const holders = cluster.holdings.filter((h) => h.heldIndices("penguins_1").includes(i));
      expect(holders.length).toBe(2);
    }
    // Each node holds a share, not everything.
    for (const h of cluster.holdings) expect(h.heldIndices("penguins_1").length).toBeLessThan(9);
    for (const node of cluster.nodes) {
      const listed = node.store.get<Frame>({ kind: "frame", id: "penguins_1" });
      expect(listed?.rows).toBe(344);
      const whole = await node.localFrame(listed as Frame);
      for (let c = 0; c < whole.chunks.length; c++) expect(chunkBits(whole.chunks[c])).toEqual(chunkBits(local.chunks[c]));
    }
    expect(spread.rollups).toEqual(local.rollups);
  });
});

describe("a node joining", () => {
  test("a frame spread on a lone node gets its second copies when another node joins, and the newcomer lists it", async () => {
    const pair = memoryCluster(2, 1, undefined, ["node1"]);
    const [first, second] = pair.nodes;
    await load(first);
    expect(pair.holdings[0].heldIndices("penguins_1").length).toBe(9);
    expect(pair.holdings[1].heldIndices("penguins_1")).toEqual([]);
    await pair.join("node1");
    expect(pair.holdings[1].heldIndices("penguins_1").length).toBe(9);
    expect(second.store.get<Frame>({ kind: "frame", id: "penguins_1" })?.rows).toBe(344);
    // The first node can die now: the newcomer has everything.
    pair.kill("node0");
    const whole = await second.localFrame(second.store.get<Frame>({ kind: "frame", id: "penguins_1" }) as Frame);
    const local = await load(single);
    for (let c = 0; c < whole.chunks.length; c++) expect(chunkBits(whole.chunks[c])).toEqual(chunkBits(local.chunks[c]));
  });
});

describe("the same model on 1 node and on 3", () => {
  test("GBM with 3-fold cross-validation: identical predictions, bit for bit", async () => {
    const params = { ntrees: 8, max_depth: 3, seed: 7, nfolds: 3, sample_rate: 0.8 };
    const a = await train(single.executor, await load(single), "gbm", "species", params);
    const frame = await load(coordinator);
    const before = cluster.calls.get("map") ?? 0;
    const b = await train(coordinator.executor, frame, "gbm", "species", params);
    // The maps ran on the members: three requests (one a node) per pass at most.
    expect((cluster.calls.get("map") ?? 0) - before).toBeGreaterThan(100);
    expect(bits(await predictions(coordinator.executor, b, frame))).toBe(bits(await predictions(single.executor, a, await load(single))));
    expect(b.metrics.cross_validation).toEqual(a.metrics.cross_validation);
  });

  test("DRF: identical predictions", async () => {
    const params = { ntrees: 6, max_depth: 6, seed: 3 };
    const a = await train(single.executor, await load(single), "drf", "body_mass_g", params);
    const frame = await load(coordinator);
    const b = await train(coordinator.executor, frame, "drf", "body_mass_g", params);
    expect(bits(await predictions(coordinator.executor, b, frame))).toBe(bits(await predictions(single.executor, a, await load(single))));
  });

  test("GLM (binomial, elastic net): coefficients agree to 1e-10", async () => {
    const params = { family: "binomial", alpha: 0.5, lambda: 0.001, nfolds: 2, seed: 1 };
    const a = (await train(single.executor, await load(single), "glm", "sex", params)) as GlmModel;
    const b = (await train(coordinator.executor, await load(coordinator), "glm", "sex", params)) as GlmModel;
    expect(b.beta.length).toBe(a.beta.length);
    for (let i = 0; i < a.beta.length; i++) expect(Math.abs(b.beta[i] - a.beta[i])).toBeLessThan(1e-10);
  });

  test("k-means: the same centers", async () => {
    const params = { k: 3, seed: 5, init: "PlusPlus" };
    const a = (await train(single.executor, await load(single), "kmeans", null, params)) as KMeansModel;
    const b = (await train(coordinator.executor, await load(coordinator), "kmeans", null, params)) as KMeansModel;
    expect(b.centers).toEqual(a.centers);
  });
});

describe("a node dies during training", () => {
  test("GBM goes on: its view chunks are rebuilt from replicas, the model is the same, the frame complete", async () => {
    const params = { ntrees: 10, max_depth: 4, seed: 11, sample_rate: 0.7 };
    const reference = await train(single.executor, await load(single), "gbm", "species", params);
    const frame = await load(coordinator);
    const victim = cluster.names[2];
    cluster.failAfter(victim, 25);
    const model = await train(coordinator.executor, frame, "gbm", "species", params);
    // The victim answered its share of the first maps, then its view chunks were rebuilt elsewhere.
    expect(cluster.calls.get("rebuild")).toBeGreaterThan(0);
    expect(bits(await predictions(coordinator.executor, model, frame))).toBe(bits(await predictions(single.executor, reference, await load(single))));
    // Every chunk has two live copies again (copied in the background: polled until they land,
    // the test's timeout the only limit), and the frame reads back whole.
    const id = frame.chunks[0] ? (frame.chunks[0] as unknown as { frame: string }).frame : "";
    const survivors = cluster.holdings.filter((_, i) => cluster.names[i] !== victim);
    const copies = () => frame.chunks.map((_, i) => survivors.filter((h) => h.heldIndices(id).includes(i)).length);
    while (copies().some((n) => n < 2)) await Bun.sleep(10);
    expect(copies()).toEqual(frame.chunks.map(() => 2));
    const whole = await coordinator.localFrame(frame);
    expect(whole.rows).toBe(344);
    expect(chunkBits(whole.chunks[3])).toEqual(chunkBits((await load(single)).chunks[3]));
  });
});
