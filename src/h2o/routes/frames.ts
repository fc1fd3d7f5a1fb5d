// H2O's frame routes: import (paths, URLs), upload, parse setup and parse (a job), the
// frame list, a frame with its summaries and rows, download as CSV, export (a job) and
// delete.

import { isAbsolute, relative, resolve } from "node:path";
import type { Context, Hono } from "hono";
import type { ColumnType } from "../../core/chunk.ts";
import { FloeError } from "../../core/errors.ts";
import { csvDownload, exportFrame } from "../../core/export.ts";
import { spoolToFile } from "../../core/source.ts";
import { isS3Url } from "../../core/sources/s3.ts";
import type { H2OContext } from "../context.ts";
import { frameBaseJson, frameJson } from "../frame-json.ts";
import { h2oJobJson, localJobView } from "../jobs.ts";
import { floeId, keyJson } from "../keys.ts";
import { H2OParams } from "../params.ts";
import { floeColumnType, guessSetup } from "../parse-setup.ts";
import { capped, importRawFiles, parsedFrameKey } from "../raw-files.ts";

const meta = (schema_name: string) => ({ schema_version: 3, schema_name, schema_type: "Iced" });

/** The raw key the client names, or H2O's 404. */
function rawFile(ctx: H2OContext, rawKey: string) {
  const raw = ctx.rawFiles.get(rawKey);
  if (!raw) throw new FloeError("not_found", `Object '${rawKey}' not found: import or upload the file first`);
  return raw;
}

/** An export path, inside the data root when the server has one. */
function exportPath(ctx: H2OContext, path: string): string {
  const root = ctx.server.dataRoot;
  if (root === null) return path;
  if (isS3Url(path)) throw new FloeError("forbidden", `exporting to ${path}: S3 exports are off under the server's --data-root`);
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel.startsWith("..") || isAbsolute(rel)) throw new FloeError("forbidden", `'${path}' is outside the server's data root`);
  return full;
}

async function importFiles(ctx: H2OContext, paths: string[], pattern: string | undefined) {
  if (pattern) throw new FloeError("unsupported", `import pattern '${pattern}': floe imports a path or a glob; put the pattern in the path`);
  const { keys, fails, errors } = await importRawFiles(ctx, paths);
  // H2O lists failures in `fails`, which the client reports without a reason: with nothing imported, floe's reason is the answer.
  if (keys.length === 0 && errors.length > 0) throw errors[0];
  return { paths, pattern: pattern ?? "", files: keys, destination_frames: keys, fails, dels: [] };
}

export function register(app: Hono, ctx: H2OContext): void {
  const { node } = ctx;

  app.post("/3/ImportFilesMulti", async (c) => {
    const p = await H2OParams.of(c);
    return c.json({ __meta: meta("ImportFilesMultiV3"), ...(await importFiles(ctx, p.list("paths") ?? [], p.str("pattern"))) });
  });
  app.on(["GET", "POST"], "/3/ImportFiles", async (c) => {
    const p = await H2OParams.of(c);
    const { paths, ...rest } = await importFiles(ctx, [p.need("path")], p.str("pattern"));
    return c.json({ __meta: meta("ImportFilesV3"), path: paths[0], ...rest });
  });

  // The client sends the file as the raw body (no content type); Model uploads go through PostFile.bin the same way.
  app.post("/3/:route{PostFile(\\.bin)?}", async (c) => {
    const body = c.req.raw.body;
    if (body === null) throw new FloeError("invalid_argument", "PostFile needs the file as the request body");
    const asked = c.req.query("destination_frame");
    const key = asked ? floeId(asked, "destination_frame") : `upload_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const spooled = await spoolToFile(body.pipeThrough(capped(ctx.server.uploadLimit, "the upload")));
    ctx.rawFiles.get(key)?.cleanup?.();
    ctx.rawFiles.set(key, { source: { kind: "file", path: spooled.path, label: key }, name: key, cleanup: spooled.cleanup });
    return c.json({ __meta: meta("PostFileV3"), destination_frame: key, total_bytes: Bun.file(spooled.path).size });
  });

  app.post("/3/ParseSetup", async (c) => {
    const p = await H2OParams.of(c);
    const sources = p.list("source_frames") ?? [];
    if (sources.length === 0) throw new FloeError("invalid_argument", "parameter 'source_frames' is required");
    const raw = rawFile(ctx, sources[0]);
    const guess = await guessSetup(ctx, raw, { separator: p.num("separator"), checkHeader: p.num("check_header") });
    const asked = p.str("destination_frame");
    return c.json({
      __meta: meta("ParseSetupV3"),
      source_frames: sources.map((s) => ({ name: s, type: "Key<Keyed>", URL: null })),
      destination_frame: asked ? floeId(asked, "destination_frame") : parsedFrameKey(ctx, raw.name),
      parse_type: guess.parseType,
      separator: guess.separator,
      single_quotes: false,
      check_header: guess.checkHeader,
      number_columns: guess.types.length,
      column_names: guess.names,
      column_types: guess.types,
      na_strings: null,
      column_name_filter: null,
      column_offset: 0,
      column_count: 0,
      total_filtered_column_count: guess.types.length,
      chunk_size: 4194304,
      decrypt_tool: null,
      skipped_columns: null,
      force_col_types: false,
      custom_non_data_line_markers: null,
      partition_by: null,
      escapechar: 0,
      tz_adjust_to_local: false,
      warnings: [],
    });
  });

  app.post("/3/Parse", async (c) => {
    const p = await H2OParams.of(c);
    const sources = p.list("source_frames") ?? [];
    if (sources.length !== 1) throw new FloeError("unsupported", `floe parses one imported file (or glob) at a time, got ${sources.length} source frames`);
    const raw = rawFile(ctx, sources[0]);
    const dest = floeId(p.need("destination_frame"), "destination_frame");
    const skipped = p.list("skipped_columns") ?? [];
    if (skipped.length > 0) throw new FloeError("unsupported", "skipped_columns: floe reads every column; drop them after parsing");
    const checkHeader = p.num("check_header");
    const separator = p.num("separator");
    const guess = await guessSetup(ctx, raw, { separator, checkHeader });
    const names = p.list("column_names");
    if (names && guess.names && names.some((n, i) => n !== guess.names?.[i])) {
      throw new FloeError("unsupported", `column_names [${names.join(", ")}]: floe takes the names from the file's header (${guess.names.join(", ")}); rename after parsing`);
    }
    const colTypes: Record<string, ColumnType> = {};
    (p.list("column_types") ?? []).forEach((t, i) => {
      const name = guess.names?.[i] ?? `C${i + 1}`;
      if (t !== guess.types[i]) colTypes[name] = floeColumnType(t, name);
    });
    const naStrings = p.list("na_strings")?.flatMap((s) =>
      s.startsWith("[")
        ? s === "[]"
          ? []
          : s
              .slice(1, -1)
              .split(",")
              .map((x) => x.trim().replace(/^"|"$/g, ""))
        : [s],
    );
    const opts = {
      sep: separator === undefined ? undefined : String.fromCharCode(separator),
      header: checkHeader === 1 ? true : checkHeader === -1 ? false : undefined,
      naStrings: naStrings && naStrings.length > 0 ? [...new Set(naStrings)] : undefined,
      colTypes: Object.keys(colTypes).length > 0 ? colTypes : undefined,
    };
    const { job, done } = node.importFrame(raw.source, opts, dest);
    const deleteOnDone = p.bool("delete_on_done") ?? true;
    done
      .catch(() => {})
      .finally(() => {
        if (!deleteOnDone) return;
        raw.cleanup?.();
        ctx.rawFiles.delete(sources[0]);
      });
    return c.json({ __meta: meta("ParseV3"), destination_frame: keyJson("Frame", dest), job: h2oJobJson(localJobView(job)) });
  });

  app.get("/3/Frames", (c) => {
    const { store } = node;
    const frames = store.ids("frame").map((id) => frameBaseJson(id, ctx.frame(id)));
    return c.json({ __meta: meta("FramesListV3"), frames });
  });

  const showFrame = async (c: Context) => {
    const id = c.req.param("id") ?? "";
    const p = await H2OParams.of(c);
    const frame = ctx.frame(id);
    const window = { rowOffset: p.num("row_offset") ?? 0, rowCount: p.num("row_count") ?? 10, columnOffset: p.num("column_offset") ?? 0, columnCount: p.num("column_count") ?? -1 };
    const local = window.rowCount > 0 ? await node.localFrame(frame) : frame;
    return c.json({ __meta: meta("FramesV3"), frames: [frameJson(id, frame, local, window)] });
  };
  app.get("/3/Frames/:id", showFrame);
  app.get("/3/Frames/:id/light", showFrame);
  app.get("/3/Frames/:id/summary", showFrame);

  app.delete("/3/Frames/:id", async (c) => {
    const id = c.req.param("id");
    ctx.frame(id);
    await node.deleteFrame(id);
    return c.json({ __meta: meta("FramesV3"), frames: [] });
  });
  // A frame's key; other keys (models) are left to the routes registered after this one.
  app.delete("/3/DKV/:key", async (c, next) => {
    const id = c.req.param("key");
    if (!(await node.deleteFrame(floeId(id)))) return next();
    return c.json({ __meta: meta("RemoveV3"), key: keyJson("Frame", id) });
  });

  app.get("/3/DownloadDataset", async (c) => {
    const id = c.req.query("frame_id");
    if (!id) throw new FloeError("invalid_argument", "parameter 'frame_id' is required");
    const frame = await node.localFrame(ctx.frame(id));
    const body = await csvDownload(await node.db(), frame);
    return c.body(body, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${id}.csv"` });
  });

  app.post("/3/Frames/:id/export", async (c) => {
    const id = c.req.param("id");
    const p = await H2OParams.of(c);
    const frame = ctx.frame(id);
    const path = exportPath(ctx, p.need("path"));
    if ((p.num("num_parts") ?? 1) !== 1) throw new FloeError("unsupported", "num_parts: floe exports a frame to one file");
    const separator = p.num("separator");
    if (separator !== undefined && separator !== 44) throw new FloeError("unsupported", "separator: floe exports CSV with ','");
    if (!(p.bool("force") ?? false) && (await Bun.file(path).exists())) throw new FloeError("conflict", `File ${path} exists, but force=False`);
    const format = (p.str("format") ?? "csv").toLowerCase();
    if (format !== "csv" && format !== "parquet") throw new FloeError("unsupported", `export format '${format}': floe writes csv or parquet`);
    const { job, done } = node.jobs.start(`export ${id} to ${path}`, async () => exportFrame(await node.db(), await node.localFrame(frame), path, format));
    done.catch(() => {});
    return c.json({ __meta: meta("FramesV3"), job: h2oJobJson(localJobView(job), keyJson("Frame", id)) });
  });
}
