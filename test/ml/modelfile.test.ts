// Model files that cross a trust boundary: every kind of model round-trips through the
// checks, and files crafted from good ones (a tree that loops, a child or feature out of
// range, arrays of the wrong length, bad domains, NaN coefficients, another version or
// algorithm, a gzip bomb) are refused with one message naming the value at fault, by the
// loader, by `floe predict` and by REST upload.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Rpc } from "../../src/cluster/rpc.ts";
import { encode } from "../../src/cluster/wire.ts";
import { FloeError } from "../../src/core/errors.ts";
import { decompressedCap, deserializeModel, MODEL_EXPANSION_FLOOR_BYTES, serializeModel } from "../../src/ml/modelfile.ts";
import { algorithm } from "../../src/ml/registry.ts";
import { predictFrame } from "../../src/ml/scoring.ts";
import type { Model } from "../../src/ml/scoring.ts";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, testNode, writeTemp } from "../support/node.ts";
import { apiOf, testServer } from "../support/server.ts";

const node = testNode();
const dir = tempDir();
const IRIS = join(FIXTURES, "iris.csv");
const iris = (await node.importFrame({ kind: "file", path: IRIS }).done).frame;
const server = await testServer();
const api = apiOf(server);

async function trained(algo: string, y: string | null, params: Record<string, unknown>): Promise<Model> {
  const { model } = await algorithm(algo)!.train(node.executor, { modelId: algo, frame: iris, y: y ?? undefined, x: null, params: { seed: 1, ...params } } as never);
  return model as Model;
}

const good: Record<string, Model> = {
  gbm: await trained("gbm", "species", { ntrees: 2, max_depth: 3 }),
  drf: await trained("drf", "petal_width", { ntrees: 2, max_depth: 3 }),
  xgboost: await trained("xgboost", "species", { ntrees: 2, max_depth: 3 }),
  glm: await trained("glm", "species", {}),
  deeplearning: await trained("deeplearning", "species", { hidden: "4", epochs: 1 }),
  naivebayes: await trained("naivebayes", "species", {}),
  kmeans: await trained("kmeans", null, { k: 3 }),
  pca: await trained("pca", null, { k: 2 }),
};

/** A fresh, mutable copy of a good model (through the file format itself). */
function copyOf(kind: string): any {
  return deserializeModel(serializeModel(good[kind], "test"), "good");
}

/** An ensemble of the GBM and the GLM with the GLM as metalearner, as a model file holds one. */
function ensemble(): any {
  const meta = copyOf("glm");
  return { ...meta, algo: "stackedensemble", model_id: "se", base_models: [copyOf("gbm"), copyOf("glm")], metalearner: meta };
}

function refusal(model: unknown, label = "bad.floe"): string {
  try {
    deserializeModel(serializeModel(model as Model, "test"), label);
  } catch (err) {
    expect(err).toBeInstanceOf(FloeError);
    return `${(err as FloeError).code}: ${(err as FloeError).message}`;
  }
  return "accepted";
}

/** The first tree of the first iteration with a split below its root, that tree's index and the split. */
function innerSplit(model: any): { tree: any; k: number; node: number } {
  for (const [k, tree] of (model.iterations[0] as any[]).entries()) {
    const node = Array.from(tree.feature as Int32Array).findIndex((f, j) => j > 0 && f >= 0);
    if (node > 0) return { tree, k, node };
  }
  throw new Error("no tree of the first iteration splits twice");
}

test("every kind of model, an ensemble included, passes the checks and loads unchanged", () => {
  for (const [kind, model] of Object.entries(good)) expect({ kind, model: deserializeModel(serializeModel(model, "test"), kind) }).toEqual({ kind, model });
  expect(refusal(ensemble())).toBe("accepted");
});

test("a tree whose child points back to its root is refused instead of looping", () => {
  const m = copyOf("gbm");
  const { tree, k, node } = innerSplit(m);
  tree.left[node] = 0;
  tree.right[node] = 1;
  expect(refusal(m)).toBe(`bad_input: bad.floe: iteration 0 tree ${k} node ${node} points back to node 0`);
  // The same inside an ensemble's base model is named by its place.
  const se = ensemble();
  const inner = innerSplit(se.base_models[0]);
  inner.tree.left[inner.node] = inner.node;
  expect(refusal(se)).toBe(`bad_input: bad.floe: base model 0: iteration 0 tree ${inner.k} node ${inner.node} points back to node ${inner.node}`);
});

test("tree children, split features, bins and bit sets out of range are refused", () => {
  const child = copyOf("drf");
  const n = child.iterations[0][0].feature.length;
  child.iterations[0][0].left[0] = n - 1;
  child.iterations[0][0].right[0] = n;
  expect(refusal(child)).toBe(`bad_input: bad.floe: iteration 0 tree 0 node 0 points to node ${n}; the tree has ${n} nodes`);
  const feature = copyOf("gbm");
  feature.iterations[0][1].feature[0] = 4;
  expect(refusal(feature)).toBe("bad_input: bad.floe: iteration 0 tree 1 node 0 splits on feature 4; the model has 4 features");
  const bin = copyOf("gbm");
  bin.iterations[0][2].catOffset[0] = -1;
  bin.iterations[0][2].threshold[0] = 100_000;
  expect(refusal(bin)).toMatch(/^bad_input: bad\.floe: iteration 0 tree 2 node 0 splits at bin 100000, outside feature \d's \d+ bins$/);
  const bits = copyOf("gbm");
  bits.iterations[0][0].catOffset[0] = 1_000_000;
  expect(refusal(bits)).toMatch(/^bad_input: bad\.floe: iteration 0 tree 0 node 0 reads bytes 1000000\.\.\d+ of its bit set, outside the tree's \d+ bytes$/);
  const trees = copyOf("gbm");
  trees.iterations[1].pop();
  expect(refusal(trees)).toBe("bad_input: bad.floe: iteration 1 has 2 entries, not 3");
});

test("arrays of the wrong length or type, NaN where a number is needed and bad domains are refused", () => {
  const value = copyOf("gbm");
  value.iterations[0][0].value = value.iterations[0][0].value.subarray(1);
  expect(refusal(value)).toMatch(/^bad_input: bad\.floe: iteration 0 tree 0 value has \d+ values, not \d+$/);
  const leaf = copyOf("drf");
  const at = Array.from(leaf.iterations[0][0].feature as Int32Array).indexOf(-1);
  leaf.iterations[0][0].value[at] = Number.NaN;
  expect(refusal(leaf)).toBe(`bad_input: bad.floe: iteration 0 tree 0 node ${at} is a leaf of value NaN, not a finite number`);
  const beta = copyOf("glm");
  beta.beta[2] = Number.NaN;
  expect(refusal(beta)).toBe("bad_input: bad.floe: beta value 2 is NaN, not a finite number");
  const cuts = copyOf("gbm");
  cuts.features[0].cuts = Float64Array.from(cuts.features[0].cuts).reverse();
  expect(refusal(cuts)).toMatch(/^bad_input: bad\.floe: feature 0 cut 1 is .*, not above the cut before it/);
  const domain = copyOf("naivebayes");
  domain.response = { ...domain.response, domain: ["Iris-setosa", 7, "Iris-virginica"] };
  expect(refusal(domain)).toBe("bad_input: bad.floe: response domain entry 1 is not a string");
  const classes = copyOf("glm");
  classes.response = { ...classes.response, domain: ["a", "b"] };
  expect(refusal(classes)).toBe("bad_input: bad.floe: response domain has 2 classes; a Multinomial model has 3 classes or more");
  const apriori = copyOf("naivebayes");
  apriori.apriori = new Float64Array(2);
  expect(refusal(apriori)).toBe("bad_input: bad.floe: apriori has 2 values, not 3");
  const centers = copyOf("kmeans");
  centers.centers_std = new Float64Array(3);
  expect(refusal(centers)).toBe("bad_input: bad.floe: centers_std has 3 values, not 15");
  const k = copyOf("pca");
  k.k = 9;
  // 4 numeric columns and species expanded to 2 columns (its first level is the reference).
  expect(refusal(k)).toBe("bad_input: bad.floe: k is 9, above 6");
  const weights = copyOf("deeplearning");
  weights.weights = weights.weights.subarray(0, 10);
  expect(refusal(weights)).toMatch(/^bad_input: bad\.floe: weights has 10 values, not \d+$/);
  const offset = copyOf("deeplearning");
  offset.design = { ...offset.design, P: offset.design.P + 1 };
  expect(refusal(offset)).toMatch(/^bad_input: bad\.floe: design P is \d+, not \d+$/);
  const typed = copyOf("gbm");
  typed.iterations[0][0].left = Array.from(typed.iterations[0][0].left);
  expect(refusal(typed)).toBe("bad_input: bad.floe: iteration 0 tree 0 left is not an array of Int32 values");
  const nested = ensemble();
  nested.base_models.push(ensemble());
  expect(refusal(nested)).toBe("bad_input: bad.floe: base model 2: model is a stacked ensemble inside a stacked ensemble");
});

test("another format version, an unknown algorithm and files that are not models are refused", () => {
  const doc = (content: unknown) => deserializeModel(Bun.gzipSync(Buffer.from(JSON.stringify(content))), "x.floe");
  const failure = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return `${(err as FloeError).code}: ${(err as FloeError).message}`;
    }
    return "accepted";
  };
  expect(failure(() => doc({ format: "floe-model", version: 4, model: {} }))).toBe("unsupported: x.floe: model format version 4; this floe reads versions 1, 2, 3");
  expect(failure(() => doc({ format: "floe-model", version: 1, model: { ...copyOf("pca"), algo: "lightgbm" } }))).toBe(
    'bad_input: x.floe: algo is "lightgbm", not one of gbm, drf, xgboost, glm, pca, naivebayes, deeplearning, stackedensemble, kmeans, isolationforest, extendedisolationforest',
  );
  expect(failure(() => doc(null))).toBe("bad_input: x.floe: not a floe model file");
  expect(failure(() => deserializeModel(new TextEncoder().encode("hello"), "x.floe"))).toBe("bad_input: x.floe: not a floe model file (not gzip data)");
});

test("version 1 files (base64 arrays in JSON) still load, and predict as the model they were written from", async () => {
  // Version 1 as floe wrote it before: the model as JSON, each typed array {$typed, b64}, gzipped whole.
  const tags = new Map<unknown, string>([
    [Float64Array, "f64"],
    [Int32Array, "i32"],
    [Uint8Array, "u8"],
    [Uint16Array, "u16"],
  ]);
  const v1 = (model: Model) =>
    Bun.gzipSync(
      Buffer.from(
        JSON.stringify({ format: "floe-model", version: 1, floe_version: "0.0.1", model }, (_k, v) =>
          ArrayBuffer.isView(v) ? { $typed: tags.get(v.constructor), b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") } : v,
        ),
      ),
    );
  for (const kind of ["gbm", "glm", "deeplearning"]) {
    const loaded = deserializeModel(v1(good[kind]), `${kind}-v1.floe`);
    const p = (m: Model) => predictFrame(node.executor, m, iris, []).then((chunks) => chunks.map((c) => Array.from(c.p)));
    expect(await p(loaded)).toEqual(await p(good[kind]));
  }
});

test("a version 2 file whose blobs do not match its header is refused as damaged", () => {
  const whole = Bun.gunzipSync(new Uint8Array(serializeModel(good.gbm, "test")));
  const cut = Bun.gzipSync(whole.subarray(0, whole.length - 8));
  const padded = Bun.gzipSync(Buffer.concat([whole, Buffer.alloc(8)]));
  for (const bytes of [cut, padded]) expect(() => deserializeModel(bytes, "x.floe")).toThrow("x.floe: not a floe model file (damaged content)");
});

test("a gzip bomb is refused once its output passes the cap, without inflating the rest", () => {
  const bomb = Bun.gzipSync(new Uint8Array(MODEL_EXPANSION_FLOOR_BYTES + 1024 * 1024), { level: 1 });
  const cap = decompressedCap(bomb.byteLength);
  expect(cap).toBe(MODEL_EXPANSION_FLOOR_BYTES);
  let err: unknown;
  try {
    deserializeModel(bomb, "bomb.floe");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FloeError);
  expect((err as FloeError).code).toBe("too_large");
  expect((err as FloeError).message).toBe(`bomb.floe: decompresses to more than ${cap} bytes (${bomb.byteLength} bytes compressed); refused as a gzip bomb`);
});

test("floe predict and REST upload refuse a crafted file with the same message", async () => {
  const m = copyOf("gbm");
  const { tree, k, node } = innerSplit(m);
  tree.left[node] = 0;
  const bytes = serializeModel(m, "test");
  const path = writeTemp(dir, "cycle.floe", bytes);
  const cli = await floe(["predict", path, IRIS]);
  expect({ code: cli.code, stdout: cli.stdout, stderr: cli.stderr }).toEqual({
    code: 1,
    stdout: "",
    stderr: `floe: ${path}: iteration 0 tree ${k} node ${node} points back to node 0\n`,
  });
  const up = await api.post("/models/upload?model_id=cycle", bytes, { "content-type": "application/octet-stream" });
  expect(up.status).toBe(400);
  expect(up.body.error).toMatchObject({ code: "bad_input", message: `uploaded model: iteration 0 tree ${k} node ${node} points back to node 0` });
  expect((await api.get("/models/cycle")).status).toBe(404);
  const ok = await api.post("/models/upload?model_id=fine", serializeModel(good.gbm, "test"), { "content-type": "application/octet-stream" });
  expect(ok.status).toBe(201);
});

test("parameter values of the wrong type or out of their bounds are refused", () => {
  const type = copyOf("gbm");
  type.params = { ...type.params, ntrees: "many" };
  expect(refusal(type)).toBe("bad_input: bad.floe: parameter ntrees is not a number");
  const range = copyOf("glm");
  range.params = { ...range.params, alpha: 2 };
  expect(refusal(range)).toBe("bad_input: bad.floe: parameter alpha is 2, above 1");
  const level = copyOf("deeplearning");
  level.params = { ...level.params, activation: "Sigmoid" };
  expect(refusal(level)).toMatch(/^bad_input: bad\.floe: parameter activation is "Sigmoid", not one of Rectifier, Tanh, Maxout/);
  const odd = copyOf("kmeans");
  odd.params = { ...odd.params, extra: { nested: true } };
  expect(refusal(odd)).toBe("bad_input: bad.floe: parameter extra is not a number, string, boolean or null");
});

test("a model a peer shares is checked like a file: a crafted one is refused and not stored", async () => {
  const secret = "a-cluster-secret-for-this-test";
  const member = await testServer({ secret });
  const m = copyOf("gbm");
  const { tree, k, node } = innerSplit(m);
  tree.left[node] = 0;
  const share = (bytes: Uint8Array) => encode({ id: "m1", bytes, trainingFrame: null, createdAt: 0, cvModels: [] });
  const rpc = new Rpc({ secret });
  let err: unknown;
  try {
    await rpc.call(member.url, "/internal/model", share(serializeModel(m, "test")));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FloeError);
  expect([(err as FloeError).code, (err as FloeError).message]).toEqual(["bad_input", `model m1 from a peer: iteration 0 tree ${k} node ${node} points back to node 0`]);
  expect((await apiOf(member).get("/models/m1")).status).toBe(404);
});

test("a version 2 file, whose trees held a byte a bin of each categorical split's set, loads with the sets packed and predicts as its model", async () => {
  const penguins = (await node.importFrame({ kind: "file", path: join(FIXTURES, "penguins.csv") }, { naStrings: ["NA", "."] }).done).frame;
  const { model } = await algorithm("gbm")!.train(node.executor, { modelId: "cats", frame: penguins, y: "body_mass_g", x: null, params: { seed: 1, ntrees: 5, max_depth: 4 } });
  const m = model as any;
  const cats = m.iterations.flat().reduce((n: number, t: any) => n + t.catOffset.filter((c: number) => c >= 0).length, 0);
  expect(cats).toBeGreaterThan(0);
  // The trees as version 2 wrote them: each set as one byte a bin, back to back.
  const old = {
    ...m,
    iterations: m.iterations.map((trees: any[]) =>
      trees.map(({ catBits, ...t }) => {
        const parts: number[] = [];
        const catOffset = Int32Array.from(t.catOffset, (c: number, j: number) => {
          if (c < 0) return c;
          const at = parts.length;
          for (let b = 0; b <= m.features[t.feature[j]].valueBins; b++) parts.push((catBits[c + (b >> 3)] >> (b & 7)) & 1);
          return at;
        });
        return { ...t, catOffset, bitsets: Uint8Array.from(parts) };
      }),
    ),
  };
  // node:zlib reads every gzip member (the header and the blobs are members of their own).
  const v3 = gunzipSync(serializeModel(old, "test"));
  const at = v3.indexOf('"version":3');
  expect(at).toBeGreaterThan(0);
  const v2 = Buffer.from(v3);
  v2.write('"version":2', at);
  const loaded = deserializeModel(Bun.gzipSync(v2), "cats-v2.floe") as any;
  loaded.iterations.flat().forEach((t: any, i: number) => {
    const mine = m.iterations.flat()[i];
    expect(t.bitsets).toBeUndefined();
    expect(Array.from(t.catOffset)).toEqual(Array.from(mine.catOffset));
    expect(Array.from(t.catBits)).toEqual(Array.from(mine.catBits));
  });
  const p = (x: Model) => predictFrame(node.executor, x, penguins, []).then((chunks) => chunks.map((c) => Array.from(c.p)));
  expect(await p(loaded)).toEqual(await p(model as Model));
});
