// Rapids on a two-node cluster: the operators run their tasks over the stored (spread)
// frames, on the nodes holding the chunks, so the answering node sends map requests to the
// other member; the answers equal one node's and those computed here from the CSV.

import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { killAllNodes, startCluster } from "../support/cluster.ts";
import { apiOf, testServer } from "../support/server.ts";

afterAll(killAllNodes);

const IRIS = join(import.meta.dir, "..", "..", "fixtures", "iris.csv");
const csv = readFileSync(IRIS, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(","));
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const setosa = csv.filter((r) => r[4] === "Iris-setosa");

// `big` is iris three times over (three chunks, spread over the cluster).
const PROGRAM = [
  "(assign big (rbind iris iris iris))",
  "(tmp= setosa (rows big (== (cols_py big 'species') 'Iris-setosa')))",
  "(sumNA (cols_py setosa 'sepal_length'))",
  "(tmp= edge (rows big [148:4]))",
  "(tmp= total (+ (cols_py big 'sepal_length') (cols_py big 'petal_length')))",
  "(sumNA total)",
  "(tmp= wide (rows big (> (cols_py big 'petal_width') 2)))",
  "(tmp= bymean (GB big [4] 'mean' 0 'all' 'nrow' 0 'all'))",
] as const;

interface Answers {
  rapids: unknown[];
  frames: Record<string, unknown>;
}

/** Runs PROGRAM against `url` (iris already imported there); the answers, and the frames it made as rows. */
async function runProgram(url: string): Promise<Answers> {
  const rapids: unknown[] = [];
  for (const ast of PROGRAM) {
    const res = await fetch(`${url}/99/Rapids`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ ast, session_id: "_sid_c" }) });
    const body = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${ast}: ${res.status} ${JSON.stringify(body)}`);
    rapids.push({ scalar: body.scalar, key: body.key, rows: body.num_rows, cols: body.num_cols });
  }
  const frames: Record<string, unknown> = {};
  for (const id of ["setosa", "edge", "wide", "bymean"]) frames[id] = (await apiOf({ url }).get(`/frames/${id}/rows?offset=0&limit=1000`)).body.rows;
  return { rapids, frames };
}

async function mapCalls(url: string): Promise<number> {
  const cluster = (await apiOf({ url }).get("/cluster")).body;
  return cluster.traffic?.map?.calls ?? 0;
}

test("Rapids over spread frames maps on the other node; the answers equal one node's and the CSV's", async () => {
  const one = await testServer();
  let single: Answers;
  try {
    await apiOf(one).importPath(IRIS, { frame_id: "iris" });
    single = await runProgram(one.url);
  } finally {
    await one.stop();
  }
  const threeTimes = (rows: string[][]) => [...rows, ...rows, ...rows];
  const expectedSetosa = threeTimes(setosa).map((r) => [...r.slice(0, 4).map(Number), r[4]]);
  expect(single.frames.setosa).toEqual(expectedSetosa);
  expect((single.rapids[2] as { scalar: number }).scalar).toBeCloseTo(3 * sum(setosa.map((r) => Number(r[0]))), 9);
  expect(single.frames.edge).toEqual([csv[148], csv[149], csv[0], csv[1]].map((r) => [...r.slice(0, 4).map(Number), r[4]]));
  expect((single.rapids[5] as { scalar: number }).scalar).toBeCloseTo(3 * sum(csv.map((r) => Number(r[0]) + Number(r[2]))), 9);
  expect((single.frames.wide as unknown[]).length).toBe(3 * csv.filter((r) => Number(r[3]) > 2).length);

  const nodes = await startCluster(2);
  try {
    await apiOf(nodes[0]).importPath(IRIS, { frame_id: "iris" });
    const before = await mapCalls(nodes[1].url);
    const spread = await runProgram(nodes[1].url);
    expect(spread).toEqual(single);
    // Filters, column math and the group-by ran their maps where the chunks are: some on the other member.
    expect(await mapCalls(nodes[1].url)).toBeGreaterThan(before);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}, 120_000);
