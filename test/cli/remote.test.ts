// `floe describe|train|predict --url` and `floe status|shutdown` against a real server, as a
// user runs them. The expected output is that of the same command run in-process (floe is
// deterministic: the same data, parameters and seed give the same model and predictions).

import { expect, test } from "bun:test";
import { join } from "node:path";
import { FloeClient } from "../../src/client/client.ts";
import { startServer } from "../../src/server/serve.ts";
import { floe } from "../support/cli.ts";
import { FIXTURES, tempDir, writeTemp } from "../support/node.ts";
import { testServer } from "../support/server.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");
const server = await testServer();
const client = new FloeClient(server.url);
const url = ["--url", server.url];
const dir = tempDir();
const iris = join(FIXTURES, "iris.csv");
const penguins = join(FIXTURES, "penguins.csv");

/** A CSV whose labels need quoting (a comma, a quote) and whose x has missing values. */
function quotedLabels(): string {
  const lines = ["x,z,label"];
  for (let i = 0; i < 200; i++) {
    const x = (i * 37) % 101;
    const z = (i * 53) % 97;
    lines.push(`${i % 23 === 0 ? "" : x},${z},${x + z > 100 ? '"a,b"' : '"say ""hi"""'}`);
  }
  return writeTemp(dir, "quoted.csv", `${lines.join("\n")}\n`);
}

test("describe --url prints what describe prints, for a file, stdin and --sql", async () => {
  const ingestFlags = [penguins, "--json", "--na-strings", "NA,.", "--col-types", "island:string,body_mass_g:enum", "--sep", ",", "--header"];
  for (const args of [[iris], [penguins, "--json"], ingestFlags, ["--sql", `SELECT * FROM '${iris}' WHERE petal_width > 1`]]) {
    const local = await floe(["describe", ...args]);
    const remote = await floe(["describe", ...args, ...url]);
    expect(local.code).toBe(0);
    expect(remote).toEqual(local);
  }
  const piped = await floe(["describe", "-", ...url], { stdin: Bun.file(penguins) });
  expect(piped).toEqual(await floe(["describe", "-"], { stdin: Bun.file(penguins) }));
}, 30_000);

test("train --url: the model of the in-process run, its report and its .floe file", async () => {
  const args = ["train", iris, "-y", "species", "--ntrees", "15", "--max-depth", "4", "--split", "0.75", "--seed", "99"];
  const [local, remote] = await Promise.all([floe([...args, "--json", "--out", join(dir, "local.floe")]), floe([...args, "--json", "--out", join(dir, "remote.floe"), ...url])]);
  expect(remote.code).toBe(0);
  expect(remote.stderr).toBe(local.stderr);
  const [l, r] = [JSON.parse(local.stdout), JSON.parse(remote.stdout)];
  for (const field of ["algo", "params", "response", "category", "metrics", "varimp", "notes", "ntrees"]) expect(r[field]).toEqual(l[field]);
  expect(r.metrics.validation.nobs + r.metrics.training.nobs).toBe(150);

  // The text report differs only in the first line (model id, training time).
  const [localText, remoteText] = await Promise.all([floe(args), floe([...args, ...url])]);
  expect(remoteText.stdout.split("\n").slice(1)).toEqual(localText.stdout.split("\n").slice(1));
  expect(remoteText.stdout.split("\n")[0]).toMatch(/^model gbm_\d+: gbm, Multinomial, 3 classes, 15 trees, trained in/);

  // The saved files score alike.
  const [fromLocal, fromRemote] = await Promise.all([floe(["predict", join(dir, "local.floe"), iris]), floe(["predict", join(dir, "remote.floe"), iris])]);
  expect(fromRemote.stdout).toBe(fromLocal.stdout);
}, 60_000);

test("predict --url writes the in-process predictions byte for byte", async () => {
  const quoted = quotedLabels();
  const cases = [
    { train: [iris, "-y", "species", "--ntrees", "10"], data: iris }, // multinomial
    { train: [iris, "-y", "species", "--algo", "drf", "--ntrees", "3"], data: iris }, // probabilities of exactly 0 and 1
    { train: [quoted, "-y", "label", "--ntrees", "5"], data: quoted }, // binomial, quoted labels, missing values
    { train: [penguins, "-y", "body_mass_g", "--algo", "glm"], data: penguins }, // regression
  ];
  for (const [k, c] of cases.entries()) {
    const model = join(dir, `predict-${k}.floe`);
    expect((await floe(["train", ...c.train, "--seed", "5", "--out", model])).code).toBe(0);
    const [local, remote] = await Promise.all([floe(["predict", model, c.data]), floe(["predict", model, c.data, ...url])]);
    expect(local.code).toBe(0);
    expect(remote).toEqual(local);
  }
  // Data without a column the model reads: the same warning.
  const noWidth = writeTemp(dir, "iris-no-width.csv", (await Bun.file(iris).text()).replace(/,[^,\n]+(,[^,\n]+)$/gm, "$1"));
  const model = join(dir, "predict-0.floe");
  const [local, remote] = await Promise.all([floe(["predict", model, noWidth]), floe(["predict", model, noWidth, ...url])]);
  expect(local.stderr).toContain("column 'petal_width' is missing");
  expect(remote).toEqual(local);
}, 60_000);

test("eval --url prints the in-process metrics, as text and as JSON", async () => {
  const model = join(dir, "eval.floe");
  expect((await floe(["train", iris, "-y", "species", "--ntrees", "8", "--split", "0.7", "--seed", "4", "--out", model])).code).toBe(0);
  for (const json of [[], ["--json"]]) {
    const [local, remote] = await Promise.all([floe(["eval", model, iris, ...json]), floe(["eval", model, iris, ...json, ...url])]);
    expect(local.code).toBe(0);
    expect(remote).toEqual(local);
  }
}, 30_000);

test("predict --sql --url queries on the server; nothing uploaded stays behind", async () => {
  const model = join(dir, "sql.floe");
  expect((await floe(["train", iris, "-y", "species", "--ntrees", "5", "--seed", "1", "--out", model])).code).toBe(0);
  const sql = `SELECT * FROM '${iris}' WHERE species = 'Iris-virginica'`;
  const [local, remote] = await Promise.all([floe(["predict", model, "--sql", sql]), floe(["predict", model, "--sql", sql, ...url])]);
  expect(remote).toEqual(local);
  expect(remote.stdout.trimEnd().split("\n")).toHaveLength(51);
  // Uploaded frames and models are deleted; trained models (with a training frame) stay.
  expect(await client.frames.list()).toEqual([]);
  for (const m of await client.models.list()) expect(m.training_frame).not.toBeNull();
}, 30_000);

test("--db with --url: the server reads the database (before, --sql ran as DuckDB's query and printed its result)", async () => {
  const db = "postgres://user:s3cret@127.0.0.1:1/nowhere";
  const r = await floe(["describe", "--db", db, "--sql", "SELECT 1 AS x", ...url]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain("127.0.0.1:1");
  expect(`${r.stdout}${r.stderr}`).not.toContain("s3cret");
  const table = await floe(["describe", "--table", "t", ...url]);
  expect(table.stderr).toBe("floe: --table needs --db (the database to read it from)\n");
});

test("status --url: one healthy node, as text and as JSON", async () => {
  const text = await floe(["status", ...url]);
  expect(text.code).toBe(0);
  const lines = text.stdout.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^cluster floe: 1 node, healthy, floe \d+\.\d+\.\d+/);
  expect(lines[1].split(/\s{2,}/)).toEqual(["node", "address", "healthy", "cpus", "load", "free mem", "max mem", "keys", "pid", "uptime"]);
  expect(lines[2].split(/\s{2,}/).slice(0, 3)).toEqual(["floe", server.url.replace("http://", ""), "yes"]);
  expect(lines).toHaveLength(3);
  const json = JSON.parse((await floe(["status", "--json", ...url])).stdout);
  expect(json).toMatchObject({ cloud_size: 1, cloud_healthy: true, nodes: [{ healthy: true, pid: process.pid }] });
}, 30_000);

test("errors: no server, a wrong token, flags that do not apply remotely", async () => {
  const gone = await startServer({ port: 0, host: "127.0.0.1", threads: 1 });
  await gone.stop();
  const unreachable = await floe(["describe", iris, "--url", gone.url]);
  expect(unreachable).toEqual({ code: 1, stdout: "", stderr: `floe: cannot reach floe at ${gone.url}: connection refused\n` });
  expect((await floe(["status", "--url", gone.url])).stderr).toBe(`floe: cannot reach floe at ${gone.url}: connection refused\n`);

  const token = "s3cret-token-for-tests";
  const guarded = await testServer({ authToken: token });
  const wrong = await floe(["status", "--url", guarded.url, "--token", "not-the-token"]);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/^floe: .*token/);
  expect(wrong.stderr.split("\n")).toHaveLength(2);
  expect((await floe(["status", "--url", guarded.url, "--token", token])).code).toBe(0);
  expect((await floe(["status", "--url", guarded.url], { env: { FLOE_AUTH_TOKEN: token } })).code).toBe(0);

  const threads = await floe(["describe", iris, "--threads", "2", ...url]);
  expect(threads).toMatchObject({ code: 2, stderr: "floe: --threads does not apply with --url (the server decides)\n" });
  const noUrl = await floe(["status"]);
  expect(noUrl.code).not.toBe(0);
}, 30_000);

test("shutdown --url stops a `floe serve` process", async () => {
  const proc = Bun.spawn([process.execPath, CLI, "serve", "--port", "0", "--threads", "1"], { stdout: "pipe", stderr: "pipe" });
  // Both pipes are read to their end: closing one early would make the server's next write fail.
  let seen = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const bytes of stream) seen += new TextDecoder().decode(bytes);
  };
  const drained = Promise.all([drain(proc.stdout), drain(proc.stderr)]);
  let serveUrl: string | null = null;
  for (const until = Date.now() + 20_000; !serveUrl && Date.now() < until; await Bun.sleep(20)) {
    serveUrl = seen.match(/listening on (http:\/\/[\d.]+:\d+)/)?.[1] ?? null;
  }
  if (!serveUrl) {
    proc.kill(9);
    throw new Error(`floe serve did not say where it listens: ${seen}`);
  }
  expect((await new FloeClient(serveUrl).health()).status).toBe("ok");
  const r = await floe(["shutdown", "--url", serveUrl]);
  expect(r).toEqual({ code: 0, stdout: `floe at ${serveUrl} shut down\n`, stderr: "" });
  const exit = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => "still running")]);
  if (exit === "still running") proc.kill(9);
  await drained;
  expect({ exit, said: seen }).toEqual({ exit: 0, said: expect.stringContaining("floe serve: stopped") });
}, 40_000);
