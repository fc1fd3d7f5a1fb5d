// `floe serve --max-mem`: a node's frames hold at most that many bytes. An import that does
// not fit and a training whose estimate does not fit what is left fail with the sizes;
// /api/v1/cluster and H2O's /3/Cloud report the cap and what is free of it.
// Iris in floe's chunks: 150 rows x 4 doubles + 150 enum codes (Int32) = 5400 bytes.

import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { formatBytes, parseSize } from "../../src/core/memory.ts";
import { floe } from "../support/cli.ts";
import { killAllNodes, startCluster } from "../support/cluster.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf, CLIENT_HEADERS, testServer } from "../support/server.ts";

const IRIS_BYTES = 150 * 4 * 8 + 150 * 4;
const MAX = 8000;
const server = await testServer({ maxMemBytes: MAX });
const api = apiOf(server);
const iris = join(FIXTURES, "iris.csv");

describe("floe serve --max-mem", () => {
  test("an import that does not fit is refused before its values are read, naming its size, the free memory and the cap", async () => {
    const first = await api.importPath(iris, { frame_id: "iris" });
    expect((await api.get(`/frames/${first}`)).body.byte_size).toBe(IRIS_BYTES);
    const r = await api.post("/frames/import", { path: iris, frame_id: "iris_again" });
    const job = await api.waitJob(r.body.job.job_id);
    expect(job.status).toBe("failed");
    expect(job.error.code).toBe("too_large");
    expect(job.error.message).toContain(
      `needs ${formatBytes(IRIS_BYTES)} but this node has ${formatBytes(MAX - IRIS_BYTES)} free (--max-mem ${formatBytes(MAX)}, frames hold ${formatBytes(IRIS_BYTES)})`,
    );
    // Refused before its values were read: reading them takes the progress from 0.7 to 1.
    expect(job.progress).toBeLessThanOrEqual(0.7);
    expect((await api.get("/frames/iris_again")).status).toBe(404);
  });

  test("/cluster and H2O's /3/Cloud report the cap and what the frames leave free", async () => {
    const [node] = (await api.get("/cluster")).body.nodes;
    expect({ max: node.max_mem, free: node.free_mem }).toEqual({ max: MAX, free: MAX - IRIS_BYTES });
    const cloud: any = await (await fetch(`${server.url}/3/Cloud`, { headers: CLIENT_HEADERS })).json();
    expect({ max: cloud.nodes[0].max_mem, free: cloud.nodes[0].free_mem }).toEqual({ max: MAX, free: MAX - IRIS_BYTES });
  });

  test("a training whose estimate does not fit the free memory is refused with the numbers", async () => {
    const job = await api.train({ algo: "gbm", training_frame: "iris", response_column: "species", params: { ntrees: 2, seed: 1 } });
    expect(job.status).toBe("failed");
    expect(job.error.message).toContain(`but ${formatBytes(MAX - IRIS_BYTES)} is available`);
  });

  test("sizes read as binary units; a bad size is refused by `floe serve`", async () => {
    expect([parseSize("--max-mem", "4g"), parseSize("--max-mem", "512m"), parseSize("--max-mem", "1.5G"), parseSize("--max-mem", "2048")]).toEqual([
      4 * 1024 ** 3,
      512 * 1024 ** 2,
      1.5 * 1024 ** 3,
      2048,
    ]);
    const bad = await floe(["serve", "--port", "0", "--max-mem", "4x"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--max-mem must be a size such as 512m or 4g, got '4x'");
  });
});

describe("floe serve --max-mem in a cluster", () => {
  afterAll(killAllNodes);

  test("each node counts the chunks it holds in memory (/cluster reports the cap less the frame on its home, the cap on the node holding its copy on disk); each node's share of a training must fit what that node has free", async () => {
    const nodes = await startCluster(2, { args: ["--max-mem", "1m"] });
    const seed = apiOf(nodes[0]);
    await seed.importPath(iris, { frame_id: "iris" });
    // Two nodes: iris's one chunk is in memory on its home, its copy on the other node's disk. A peer's stats arrive with its next heartbeat.
    const expected = [
      { max: 1024 ** 2, free: 1024 ** 2 - IRIS_BYTES },
      { max: 1024 ** 2, free: 1024 ** 2 },
    ];
    let seen: unknown;
    for (let i = 0; i < 500; i++) {
      seen = (await seed.get("/cluster")).body.nodes.map((n: any) => ({ max: n.max_mem, free: n.free_mem })).sort((a: any, b: any) => a.free - b.free);
      if (Bun.deepEquals(seen, expected)) break;
      await Bun.sleep(20);
    }
    expect(seen).toEqual(expected);
    // A training spreads over the cluster: each node checks its share of the view against its own free memory.
    const job = await seed.train({ algo: "gbm", training_frame: "iris", response_column: "species", params: { ntrees: 2, seed: 1 } });
    expect(job.status).toBe("done");
    const tiny = await startCluster(2, { args: ["--max-mem", "8000"] });
    await apiOf(tiny[0]).importPath(iris, { frame_id: "iris" });
    for (let i = 0; i < 500 && !(await apiOf(tiny[0]).get("/cluster")).body.nodes.some((n: any) => n.free_mem === MAX - IRIS_BYTES); i++) await Bun.sleep(20);
    const refused = await apiOf(tiny[0]).train({ algo: "gbm", training_frame: "iris", response_column: "species", params: { ntrees: 2, seed: 1 } });
    expect(refused.status).toBe("failed");
    expect(refused.error.message).toMatch(new RegExp(`but ${formatBytes(MAX - IRIS_BYTES)} is available on node \\S+: `));
    await Promise.all([...nodes, ...tiny].map((n) => n.stop()));
  }, 60_000);
});
