// An http(s):// CSV object imported on a cluster: where the server serves byte ranges, each
// node streams and parses its own range (the receiving node reads the object's first MiBs
// to plan, and a little at each cut to find a line end); the frame is the one a single
// node's import of the same file gives. A server without ranges, or an object whose
// dialect quotes (which one node would have to scan whole), goes to one node, with the same frame.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Source } from "../../src/core/source.ts";
import { FloeNode } from "../../src/runtime.ts";
import { expectSameFrame } from "../support/frame-values.ts";
import { memoryCluster } from "../support/memory-cluster.ts";

const dir = mkdtempSync(join(tmpdir(), "floe-parse-http-"));
const single = new FloeNode({ threads: 1 });

/** 10 MiB or so, past the 8 MiB the plan reads; `city` has levels only the second half holds. */
function rows(quoteAt: number | null): string {
  const out = ["id,x,city,label"];
  for (let i = 0; i < 420_000; i++) {
    const city = i === quoteAt ? '"St. Gallen"' : i < 210_000 ? ["Basel", "Bern"][i % 2] : ["Zug", "Aarau", "Basel"][i % 3];
    out.push(`${i},${(i * 7919) % 1000}.25,${city},${(i * 104_729) % 7 > 3 ? "yes" : "no"}`);
  }
  return `${out.join("\n")}\n`;
}

const plain = join(dir, "plain.csv");
writeFileSync(plain, rows(null));
// A quoted field among the first rows: the dialect quotes.
const quoted = join(dir, "quoted.csv");
writeFileSync(quoted, rows(5));

interface Served {
  ranges: number;
  whole: number;
  bytes: number;
}
const served: Served = { ranges: 0, whole: 0, bytes: 0 };

/** Serves the files of `dir`, honouring a single Range (as most static servers do) unless under /noranges/. */
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    const path = new URL(req.url).pathname;
    const ranged = !path.startsWith("/noranges/");
    const body = readFileSync(join(dir, path.replace(/^\/noranges/, "")));
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.get("range") ?? "");
    if (!ranged || !m) {
      served.whole++;
      served.bytes += body.length;
      return new Response(body);
    }
    const a = Number(m[1]);
    const b = Math.min(Number(m[2]) + 1, body.length);
    if (a >= body.length) return new Response(null, { status: 416, headers: { "content-range": `bytes */${body.length}` } });
    served.ranges++;
    served.bytes += b - a;
    return new Response(body.subarray(a, b), { status: 206, headers: { "content-range": `bytes ${a}-${b - 1}/${body.length}` } });
  },
});

afterAll(async () => {
  server.stop(true);
  await single.close();
  rmSync(dir, { recursive: true, force: true });
});

const cluster = memoryCluster(2);
const [coordinator] = cluster.nodes;

async function importBoth(url: string, local: string) {
  const counted = cluster.calls.get("parse-count") ?? 0;
  Object.assign(served, { ranges: 0, whole: 0, bytes: 0 });
  const source: Source = { kind: "remote", url };
  const { frame } = await coordinator.importFrame(source).done;
  const shared = await coordinator.localFrame(frame);
  const one = (await single.importFrame({ kind: "file", path: local }).done).frame;
  return { shared, one, counted: (cluster.calls.get("parse-count") ?? 0) - counted };
}

test("a CSV object served with byte ranges is parsed by both nodes, each on its range, into the frame one node parses", async () => {
  const { shared, one, counted } = await importBoth(`${server.url}plain.csv`, plain);
  expect(counted).toBe(2);
  expectSameFrame(shared, one);
  expect(shared.columns.find((c) => c.name === "city")?.domain).toEqual(["Aarau", "Basel", "Bern", "Zug"]);
  // Ranges only: the plan's first 8 MiB, a little at the cut, then each node its half.
  const size = readFileSync(plain).length;
  expect(served.whole).toBe(0);
  expect(served.bytes).toBeLessThan(size + 8 * 1024 ** 2 + 256 * 1024);
});

test("a server that ignores Range: one node downloads and parses the whole object", async () => {
  const { shared, one, counted } = await importBoth(`${server.url}noranges/plain.csv`, plain);
  expect(counted).toBe(0);
  expect(served.whole).toBeGreaterThan(0);
  expectSameFrame(shared, one);
});

test("an object whose dialect quotes: one node downloads and parses it whole", async () => {
  const { shared, one, counted } = await importBoth(`${server.url}quoted.csv`, quoted);
  expect(counted).toBe(0);
  expect(served.whole).toBe(1);
  expectSameFrame(shared, one);
  expect(shared.columns.find((c) => c.name === "city")?.domain).toContain("St. Gallen");
});
