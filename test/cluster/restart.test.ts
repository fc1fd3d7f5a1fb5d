// A `floe serve --data-dir` process killed with SIGKILL while it writes a frame: restarted on
// the same directory it has every frame written before, none half-written, and no leftover
// temporary file. The node is held mid-write by a test hook (FLOE_TEST_STALL_FRAME_WRITE
// stops each frame's write after its first chunk), so the kill never races the write.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killAllNodes, startNode } from "../support/cluster.ts";
import { FIXTURES } from "../support/node.ts";
import { apiOf } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-restart-"));
afterAll(() => {
  killAllNodes();
  rmSync(dir, { recursive: true, force: true });
});

const node = (env: Record<string, string> = {}) => startNode({ secret: null, threads: 1, args: ["--data-dir", dir], env });

async function frameIds(api: ReturnType<typeof apiOf>): Promise<string[]> {
  return (await api.get("/frames")).body.frames.map((f: { frame_id: string }) => f.frame_id).sort();
}

describe("a node killed mid-write", () => {
  test("restarts with the frames written before, without the one being written or its temporary file", async () => {
    const first = await node();
    const iris = await apiOf(first).importPath(join(FIXTURES, "iris.csv"), { frame_id: "iris" });
    const before = (await apiOf(first).get(`/frames/${iris}`)).body;
    await first.stop();

    const stalled = await node({ FLOE_TEST_STALL_FRAME_WRITE: "1" });
    const started = await apiOf(stalled).post("/frames/import", { path: join(FIXTURES, "penguins.csv"), frame_id: "penguins" });
    expect(started.status).toBe(202);
    // The write has begun once its temporary file is there; the hook holds it there.
    const framesDir = join(dir, "frames");
    for (let i = 0; !readdirSync(framesDir).some((f) => f.endsWith(".tmp")); i++) {
      if (i > 1500) throw new Error(`no temporary frame file in ${framesDir}: ${readdirSync(framesDir)}`);
      await Bun.sleep(20);
    }
    await stalled.kill9();
    expect(readdirSync(framesDir).some((f) => f.startsWith("penguins") && f.endsWith(".tmp"))).toBe(true);

    const again = await node();
    const api = apiOf(again);
    expect(await frameIds(api)).toEqual(["iris"]);
    expect((await api.get("/frames/iris")).body).toEqual(before);
    expect(readdirSync(framesDir).sort()).toEqual(["iris.frame"]);
    // The id is free again: importing it now works.
    expect(await api.importPath(join(FIXTURES, "penguins.csv"), { frame_id: "penguins" })).toBe("penguins");
    await again.stop();
  }, 90_000);
});
