// H2O's routes sit under the server's token and its request guard: the client's basic-auth
// password (or a bearer header) is the token; a cross-site page cannot post to them.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { testServer } from "../support/server.ts";
import { runH2OScript } from "./support.ts";

const TOKEN = "h2o-test-token-123";
const IRIS = join(import.meta.dir, "..", "..", "fixtures", "iris.csv");

test("h2o.connect(auth=(user, token)) works on a server with a token; a wrong token and no token are refused", async () => {
  const server = await testServer({ authToken: TOKEN });
  const run = await runH2OScript("connect_auth.py", server.url, { FLOE_TOKEN: TOKEN, IRIS_PATH: IRIS });
  expect(`${run.stdout}\n${run.stderr}`).not.toContain("Traceback");
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("REFUSED");
  expect(run.stdout).toContain("SIZE 1");
  expect(run.stdout).toContain("OK");
  const bare = await fetch(`${server.url}/3/Cloud`);
  expect(bare.status).toBe(401);
  expect(((await bare.json()) as { msg: string }).msg).toContain("needs its token");
  const bearer = await fetch(`${server.url}/3/Cloud`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(bearer.status).toBe(200);
}, 60_000);

test("a form post to H2O's routes from another origin is refused; without Origin it is the client's and passes", async () => {
  const server = await testServer();
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const crossSite = await fetch(`${server.url}/3/ImportFilesMulti`, { method: "POST", headers: { ...form, origin: "http://evil.example" }, body: `paths=[${IRIS}]` });
  expect(crossSite.status).toBe(403);
  const client = await fetch(`${server.url}/3/ImportFilesMulti`, { method: "POST", headers: form, body: `paths=[${IRIS}]` });
  expect(client.status).toBe(200);
  expect(((await client.json()) as { destination_frames: string[] }).destination_frames).toEqual([IRIS]);
});

test("an H2O route floe lacks answers H2O's error schema naming it", async () => {
  const server = await testServer();
  const res = await fetch(`${server.url}/3/NetworkTest`);
  expect(res.status).toBe(400);
  const body = (await res.json()) as { __meta: { schema_name: string }; msg: string };
  expect(body.__meta.schema_name).toBe("H2OErrorV3");
  expect(body.msg).toBe("GET /3/NetworkTest of H2O's REST API is not supported by floe");
});

test("with --data-root, H2O imports are confined to it and the refusal is H2O's error", async () => {
  const root = join(import.meta.dir, "..", "..", "fixtures");
  const server = await testServer({ dataRoot: root });
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const outside = await fetch(`${server.url}/3/ImportFilesMulti`, { method: "POST", headers: form, body: "paths=[/etc/passwd]" });
  expect(outside.status).toBe(400);
  const body = (await outside.json()) as { __meta: { schema_name: string }; msg: string };
  expect(body.__meta.schema_name).toBe("H2OErrorV3");
  expect(body.msg).toBe("'/etc/passwd' is outside the server's data root");
  const inside = await fetch(`${server.url}/3/ImportFilesMulti`, { method: "POST", headers: form, body: "paths=[iris.csv]" });
  expect(inside.status).toBe(200);
  // The server does not fetch URLs for a client it confines: no request leaves it.
  let fetched = 0;
  const web = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (fetched++, new Response("a,b\n1,2\n")) });
  try {
    const url = await fetch(`${server.url}/3/ImportFilesMulti`, { method: "POST", headers: form, body: `paths=[http://127.0.0.1:${web.port}/x.csv]` });
    expect(url.status).toBe(400);
    expect(((await url.json()) as { msg: string }).msg).toBe(`importing http://127.0.0.1:${web.port}/x.csv: URL imports are off under the server's --data-root`);
    expect(fetched).toBe(0);
  } finally {
    web.stop(true);
  }
});
