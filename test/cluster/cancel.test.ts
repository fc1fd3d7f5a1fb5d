// A cancelled run on a cluster stops on every node, not only on the coordinator: each node's
// map request carries the coordinator's signal (over HTTP, the dropped request's), and a
// node maps no chunk after it aborts. Before, the nodes went through the whole share they
// were sent, holding their threads for work whose answer was dropped.

import { expect, test } from "bun:test";
import { type Task, taskRegistry } from "../../src/core/mr.ts";
import { memoryCluster } from "../support/memory-cluster.ts";
import { numberFrame } from "../support/tasks.ts";

/** Chunks mapped so far by this process's nodes (the in-process cluster runs them all here). */
let mapped = 0;

/** Holds its thread `ms` per chunk, counting the chunks it maps. */
const CountedSlowTask: Task<{ ms: number }, number> = {
  name: "test.counted_slow",
  map(_chunk, { ms }) {
    mapped++;
    const end = Date.now() + ms;
    while (Date.now() < end) {}
    return 1;
  },
  reduce: (a, b) => a + b,
  empty: () => 0,
};

/** Waits until no chunk has been mapped for three polls in a row. */
async function settled(): Promise<void> {
  let quiet = 0;
  let last = mapped;
  while (quiet < 3) {
    await Bun.sleep(50);
    quiet = mapped === last ? quiet + 1 : 0;
    last = mapped;
  }
}

test("a cancelled run maps no further chunk on any node of the cluster", async () => {
  // memoryCluster closes its nodes after the file's tests.
  const [coordinator] = memoryCluster(3, 1, taskRegistry([CountedSlowTask])).nodes;
  // 300 one-row chunks, 100 a node: 20 ms each would hold every node for 2 s.
  const frame = await coordinator.putFrame("slow", numberFrame(new Float64Array(300), 1));
  const ctl = new AbortController();
  const run = coordinator.executor.run(CountedSlowTask, frame, { ms: 20 }, { signal: ctl.signal });
  while (mapped < 3) await Bun.sleep(5);
  ctl.abort();
  const err = await run.then(
    () => null,
    (e) => e,
  );
  expect(err?.code).toBe("cancelled");
  const atCancel = mapped;
  await settled();
  // Each node may finish the chunk it was mapping when the signal came.
  expect(mapped - atCancel).toBeLessThanOrEqual(3);
  expect(mapped).toBeLessThan(30);
});
