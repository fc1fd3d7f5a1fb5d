// H2O's client against a two-node floe cluster: /3/Cloud lists both members with H2O's
// node fields, whichever member the client connects to.

import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { killAllNodes, startCluster } from "../support/cluster.ts";
import { runH2OScript } from "./support.ts";

afterAll(killAllNodes);

const IRIS = join(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("cluster_status() through either member of a two-node cluster lists both nodes", async () => {
  const nodes = await startCluster(2);
  try {
    const both = nodes
      .map((n) => n.address)
      .sort()
      .join(",");
    for (const node of nodes) {
      const run = await runH2OScript("cluster_status.py", node.url, { IRIS_PATH: IRIS });
      expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("SIZE 2");
      expect(run.stdout).toContain(`NODES ${both}`);
      expect(run.stdout).toContain("OK");
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}, 120_000);
