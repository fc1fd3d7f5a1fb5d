// An S3-compatible store for tests: npm's s3rver on 127.0.0.1 and a free port, objects in a
// temporary directory, one bucket; closed and removed after the file's tests. `env` is what
// floe needs to reach it (Bun's S3 client reads the AWS_ variables).

import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "bun";

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (opts: Record<string, unknown>) => S3rverServer;
// s3rver ships no types: the little used here is declared above.
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly env: Record<string, string>;
  readonly client: S3Client;
}

export async function testS3(bucket = "data"): Promise<TestS3> {
  const dir = mkdtempSync(join(tmpdir(), "floe-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver accepts these fixed credentials.
  const env = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: endpoint };
  const client = new S3Client({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER", region: "us-east-1", endpoint, bucket });
  return { endpoint, bucket, env, client };
}

/**
 * Sets `s3.env` in this process for the file's tests and restores the environment after:
 * floe reads S3 credentials and the endpoint from the environment when it makes a client.
 */
export function useS3Env(s3: TestS3): void {
  const saved = Object.fromEntries(Object.keys(s3.env).map((k) => [k, process.env[k]]));
  beforeAll(() => {
    Object.assign(process.env, s3.env);
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}
