// A FloeNode for tests, closed after the file's tests; and temp-file helpers.

import { afterAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FloeNode } from "../../src/runtime.ts";

export function testNode(threads = 2): FloeNode {
  const node = new FloeNode({ threads });
  afterAll(() => node.close());
  return node;
}

/** A temporary directory removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "floe-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeTemp(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export const FIXTURES = join(import.meta.dir, "..", "..", "fixtures");
