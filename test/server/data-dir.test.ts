// `floe serve --data-dir`: a node restarted on the same directory comes back with its frames
// (same ids, types, enum domains, rollups, missing values) and models (same predictions, bit
// for bit); deleting removes them from the directory; leftovers of a write cut short are
// cleaned on start and never read as a frame.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../../src/server/serve.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf } from "../support/server.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "floe-data-dir-"));
  dirs.push(dir);
  return dir;
}

/** Runs `body` against a server on `dataDir`, stopping the server after. */
async function withServer<T>(dataDir: string, body: (api: ReturnType<typeof apiOf>) => Promise<T>): Promise<T> {
  const server = await startServer({ port: 0, host: "127.0.0.1", threads: 2, dataDir });
  try {
    return await body(apiOf(server));
  } finally {
    await server.stop();
  }
}

/** Everything the API says about a frame: its summary (types, domains, rollups) and its rows. */
async function frameState(api: ReturnType<typeof apiOf>, id: string): Promise<any> {
  const summary = await api.get(`/frames/${id}`);
  const rows = await api.get(`/frames/${id}/rows?limit=1000`);
  return { summary: summary.body, rows: rows.body };
}

describe("floe serve --data-dir", () => {
  test("a restart on the same directory keeps frames and models: same ids, summaries, rows and predictions", async () => {
    const dir = tempDir();
    const before: any = await withServer(dir, async (api) => {
      const penguins = await api.importPath(join(FIXTURES, "penguins.csv"), { na_strings: ["NA", "."] });
      const mixed = await api.importPath(join(FIXTURES, "mixed.csv"), { col_types: { note: "string" } });
      const job = await api.train({ algo: "gbm", training_frame: penguins, response_column: "sex", params: { ntrees: 5, max_depth: 3, seed: 7 }, model_id: "gbm_sex" });
      expect(job.status).toBe("done");
      const pred = await api.post("/models/gbm_sex/predict", { frame: penguins, predictions_frame: "preds" });
      expect(pred.status).toBe(200);
      return {
        penguins,
        mixed,
        frames: { penguins: await frameState(api, penguins), mixed: await frameState(api, mixed), preds: await frameState(api, "preds") },
        model: (await api.get("/models/gbm_sex")).body,
      };
    });
    // The fixture's types: a time column, a string column and missing values survive.
    const mixedSummary = before.frames.mixed.summary;
    expect(mixedSummary.columns.map((c: any) => c.type)).toContain("time");
    expect(mixedSummary.columns.map((c: any) => c.type)).toContain("string");
    expect(mixedSummary.columns.some((c: any) => c.missing > 0)).toBe(true);

    await withServer(dir, async (api) => {
      const ids = (await api.get("/frames")).body.frames.map((f: any) => f.frame_id).sort();
      expect(ids).toEqual([before.mixed, before.penguins, "preds"].sort());
      expect(await frameState(api, before.penguins)).toEqual(before.frames.penguins);
      expect(await frameState(api, before.mixed)).toEqual(before.frames.mixed);
      expect(await frameState(api, "preds")).toEqual(before.frames.preds);
      expect((await api.get("/models/gbm_sex")).body).toEqual(before.model);
      // The restored model scores the restored frame exactly as before.
      const again = await api.post("/models/gbm_sex/predict", { frame: before.penguins, predictions_frame: "preds_again" });
      expect(again.status).toBe(200);
      expect((await frameState(api, "preds_again")).rows.rows).toEqual(before.frames.preds.rows.rows);
      // Deleting removes the frame and the model from the directory too.
      expect((await api.del(`/frames/${before.mixed}`)).status).toBe(200);
      expect((await api.del("/models/gbm_sex")).status).toBe(200);
    });

    await withServer(dir, async (api) => {
      expect((await api.get(`/frames/${before.mixed}`)).status).toBe(404);
      expect((await api.get("/models/gbm_sex")).status).toBe(404);
      expect((await api.get(`/frames/${before.penguins}`)).status).toBe(200);
    });
  }, 60_000);

  test("leftover temporary files are removed on start and a cut-short frame file is not loaded", async () => {
    const dir = tempDir();
    await withServer(dir, async (api) => {
      await api.importPath(join(FIXTURES, "iris.csv"), {});
    });
    const framesDir = join(dir, "frames");
    const [file] = readdirSync(framesDir);
    const whole = await Bun.file(join(framesDir, file)).bytes();
    // A write cut short before its rename, and a frame file that lost its end.
    writeFileSync(join(framesDir, `${file}.123-1.tmp`), whole.subarray(0, whole.length >> 1));
    writeFileSync(join(framesDir, file.replace(/^iris/, "cut")), whole.subarray(0, whole.length - 10));
    await withServer(dir, async (api) => {
      const ids = (await api.get("/frames")).body.frames.map((f: any) => f.frame_id);
      expect(ids).toEqual([file.replace(/\.[^.]*$/, "")]);
      expect((await api.get(`/frames/${ids[0]}`)).body.rows).toBe(150);
    });
    expect(existsSync(join(framesDir, `${file}.123-1.tmp`))).toBe(false);
  }, 60_000);

  test("a cluster node keeps its chunks under cluster/ and, restarted alone, comes back with the frame", async () => {
    const dir = tempDir();
    const opts = { port: 0, host: "127.0.0.1", threads: 1, dataDir: dir, secret: "cluster-secret" };
    const first = await startServer(opts);
    let before: any;
    let id = "";
    try {
      id = await apiOf(first).importPath(join(FIXTURES, "mixed.csv"), { col_types: { note: "string" } });
      before = await frameState(apiOf(first), id);
    } finally {
      await first.stop();
    }
    expect(readdirSync(join(dir, "frames"))).toEqual([]);
    expect(readdirSync(join(dir, "cluster", `frame-${id}`)).sort()).toEqual(["chunk-0.arrow", "entry.bin"]);
    const again = await startServer(opts);
    try {
      expect(await frameState(apiOf(again), id)).toEqual(before);
    } finally {
      await again.stop();
    }
  }, 60_000);

  test("a --data-dir that is a file is refused, naming it", async () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    await expect(startServer({ port: 0, host: "127.0.0.1", threads: 1, dataDir: file })).rejects.toThrow(`--data-dir ${file}: not a directory`);
  });
});
