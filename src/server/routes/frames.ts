// /frames: import (path, glob, SQL), upload, list, summary, rows, split, asfactor,
// download as CSV, export to a database table, delete. Frames are immutable: split and asfactor make new ones.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { parseColTypes } from "../../core/column-types.ts";
import { asfactor } from "../../core/convert.ts";
import { FloeError } from "../../core/errors.ts";
import { csvDownload } from "../../core/export.ts";
import { DbTableWriter, writeFrame } from "../../core/export-db.ts";
import type { Frame } from "../../core/frame.ts";
import { split } from "../../core/ops.ts";
import { randomSeed } from "../../core/rng.ts";
import { computeRollups } from "../../core/rollups.ts";
import { type Source, spoolToFile } from "../../core/source.ts";
import { isRemoteUrl } from "../../core/sources/remote.ts";
import { key } from "../../core/store.ts";
import type { ServerContext } from "../context.ts";
import { importSource } from "../data-root.ts";
import { CONFLICT, ERRORS, FORBIDDEN, jsonBody, jsonResponse, TOO_LARGE } from "../openapi.ts";
import { AsfactorBody, DeletedResult, ExportBody, FrameIdResult, FrameSchema, FrameSummarySchema, ImportBody, JobEnvelope, RowsSchema, SplitBody, SplitResult } from "../../api/schemas.ts";
import { IdParam, RowsQuery, UploadQuery } from "../schemas.ts";
import { uploadedBody } from "../upload.ts";
import { frameJson, frameSummaryJson, jobJson, rowsJson } from "../views.ts";

const tags = ["frames"];
const frameKey = (id: string) => key<Frame>("frame", id);

const list = createRoute({
  method: "get",
  path: "/frames",
  tags,
  summary: "All frames",
  responses: { 200: jsonResponse(z.object({ frames: z.array(FrameSummarySchema) }), "Frames"), ...ERRORS },
});

const importRoute = createRoute({
  method: "post",
  path: "/frames/import",
  tags,
  summary: "Import a file, a glob, a SQL query's result or a database table as a frame (a job)",
  request: jsonBody(ImportBody),
  responses: { 202: jsonResponse(JobEnvelope, "The import job; its dest is the frame"), ...FORBIDDEN, ...CONFLICT, ...ERRORS },
});

const upload = createRoute({
  method: "post",
  path: "/frames/upload",
  tags,
  summary: "Upload a CSV, Parquet or JSON file (raw body or multipart field 'file') and import it (a job)",
  request: { query: UploadQuery },
  responses: { 202: jsonResponse(JobEnvelope, "The import job"), ...TOO_LARGE, ...CONFLICT, ...ERRORS },
});

const get = createRoute({
  method: "get",
  path: "/frames/{id}",
  tags,
  summary: "A frame's schema and column summaries (rollups, histograms)",
  request: { params: IdParam },
  responses: { 200: jsonResponse(FrameSchema, "The frame"), ...ERRORS },
});

const rows = createRoute({
  method: "get",
  path: "/frames/{id}/rows",
  tags,
  summary: "Rows [offset, offset + limit) of a frame",
  request: { params: IdParam, query: RowsQuery },
  responses: { 200: jsonResponse(RowsSchema, "The rows"), ...ERRORS },
});

const splitRoute = createRoute({
  method: "post",
  path: "/frames/{id}/split",
  tags,
  summary: "Split rows at random into parts (H2O's split_frame: ratios [0.8] gives 80% / 20%)",
  request: { params: IdParam, ...jsonBody(SplitBody) },
  responses: { 200: jsonResponse(SplitResult, "The parts"), ...ERRORS },
});

const asfactorRoute = createRoute({
  method: "post",
  path: "/frames/{id}/asfactor",
  tags,
  summary: "A new frame with the named columns converted to enums",
  request: { params: IdParam, ...jsonBody(AsfactorBody) },
  responses: { 200: jsonResponse(FrameIdResult, "The new frame"), ...ERRORS },
});

const download = createRoute({
  method: "get",
  path: "/frames/{id}/download",
  tags,
  summary: "The frame as CSV",
  request: { params: IdParam },
  responses: { 200: { content: { "text/csv": { schema: z.string() } }, description: "CSV with a header row" }, ...ERRORS },
});

const exportRoute = createRoute({
  method: "post",
  path: "/frames/{id}/export",
  tags,
  summary: "Write the frame to a new PostgreSQL or MySQL table (a job); an existing table is refused unless if_exists is replace or append",
  request: { params: IdParam, ...jsonBody(ExportBody) },
  responses: { 202: jsonResponse(JobEnvelope, "The export job"), ...FORBIDDEN, ...CONFLICT, ...ERRORS },
});

const remove = createRoute({
  method: "delete",
  path: "/frames/{id}",
  tags,
  summary: "Delete a frame",
  request: { params: IdParam },
  responses: { 200: jsonResponse(DeletedResult, "Deleted"), ...ERRORS },
});

/**
 * New frame ids, each the one asked for or a fresh one from its base, claimed in the store
 * until `release` (once stored): refused when taken, being written, or asked for twice.
 */
function claimDestinations(ctx: ServerContext, wanted: readonly { asked: string | undefined; base: string }[]): { ids: string[]; release: () => void } {
  const { store } = ctx.node;
  const releases: (() => void)[] = [];
  const release = () => releases.forEach((r) => r());
  try {
    const ids = wanted.map(({ asked, base }) => {
      const id = asked ?? store.newId("frame", base);
      releases.push(store.claim(frameKey(id)));
      return id;
    });
    return { ids, release };
  } catch (err) {
    release();
    throw err;
  }
}

export function frameRoutes(app: OpenAPIHono, ctx: ServerContext): void {
  const { node } = ctx;
  const { store } = node;
  const need = (id: string) => store.need(frameKey(id));

  app.openapi(list, (c) => c.json({ frames: store.ids("frame").map((id) => frameSummaryJson(id, need(id))) }, 200));

  app.openapi(importRoute, (c) => {
    const body = c.req.valid("json");
    let source: Source;
    if (body.db !== undefined) {
      // Like SQL, a database read reaches past the data root: off when there is one.
      if (ctx.dataRoot !== null) throw new FloeError("forbidden", "database imports are disabled when the server has a --data-root");
      source = { kind: "db", url: body.db, table: body.table, query: body.sql };
    } else if (body.sql !== undefined) {
      // DuckDB SQL reads any file the process can: with a data root, it is off.
      if (ctx.dataRoot !== null) throw new FloeError("forbidden", "SQL imports are disabled when the server has a --data-root");
      source = { kind: "sql", query: body.sql };
    } else if (isRemoteUrl(body.path as string)) {
      // A data root confines imports to its files; a URL's download is capped as an upload is.
      if (ctx.dataRoot !== null) throw new FloeError("forbidden", `importing ${body.path}: URL imports are off under the server's --data-root`);
      source = { kind: "remote", url: body.path as string, maxBytes: ctx.uploadLimit };
    } else {
      source = importSource(body.path as string, ctx.dataRoot);
    }
    const opts = { colTypes: body.col_types, sep: body.sep, header: body.header, naStrings: body.na_strings };
    const { job, done } = node.importFrame(source, opts, body.frame_id);
    done.catch(() => {});
    return c.json({ job: jobJson(job) }, 202);
  });

  app.openapi(upload, async (c) => {
    const query = c.req.valid("query");
    if (query.frame_id !== undefined && store.get(frameKey(query.frame_id))) {
      throw new FloeError("conflict", `frame '${query.frame_id}' already exists; delete it first or pick another id`);
    }
    const { stream, filename } = await uploadedBody(c, ctx.uploadLimit);
    const spooled = await spoolToFile(stream);
    const label = query.name ?? filename ?? "upload";
    const opts = {
      colTypes: query.col_types ? parseColTypes(query.col_types) : undefined,
      sep: query.sep,
      header: query.header === undefined ? undefined : query.header === "true",
      naStrings: query.na_strings?.split(","),
    };
    try {
      const { job, done } = node.importFrame({ kind: "file", path: spooled.path, label }, opts, query.frame_id);
      done.catch(() => {}).finally(spooled.cleanup);
      return c.json({ job: jobJson(job) }, 202);
    } catch (err) {
      spooled.cleanup();
      throw err;
    }
  });

  app.openapi(get, (c) => {
    const { id } = c.req.valid("param");
    return c.json(frameJson(id, need(id)), 200);
  });

  app.openapi(rows, async (c) => {
    const { id } = c.req.valid("param");
    const { offset, limit } = c.req.valid("query");
    return c.json(rowsJson(id, await node.localFrame(need(id)), offset, limit), 200);
  });

  app.openapi(splitRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const frame = need(id);
    const parts = body.ratios.length + 1;
    if (body.destination_frames && body.destination_frames.length !== parts) {
      throw new FloeError("invalid_argument", `destination_frames needs ${parts} ids (one per part), got ${body.destination_frames.length}`);
    }
    const { ids, release } = claimDestinations(
      ctx,
      Array.from({ length: parts }, (_, p) => ({ asked: body.destination_frames?.[p], base: `${id}_part${p}` })),
    );
    try {
      const pieces = await split(node.executor, frame, body.ratios, body.seed ?? randomSeed());
      const out = [];
      for (let p = 0; p < parts; p++) {
        const piece = pieces[p].withRollups(await computeRollups(node.executor, pieces[p]));
        await node.putFrame(ids[p], piece);
        out.push({ frame_id: ids[p], rows: piece.rows });
      }
      return c.json({ frames: out }, 200);
    } finally {
      release();
    }
  });

  app.openapi(asfactorRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    let frame = need(id);
    for (const name of body.columns) frame.columnIndex(name);
    const {
      ids: [dest],
      release,
    } = claimDestinations(ctx, [{ asked: body.frame_id, base: id }]);
    try {
      for (const name of body.columns) frame = await asfactor(node.executor, frame, name);
      await node.putFrame(dest, frame.withRollups(await computeRollups(node.executor, frame)));
      return c.json({ frame_id: dest }, 200);
    } finally {
      release();
    }
  });

  app.openapi(download, async (c) => {
    const { id } = c.req.valid("param");
    const frame = await node.localFrame(need(id));
    const body = await csvDownload(await node.db(), frame);
    return c.body(body, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${id}.csv"` });
  });

  app.openapi(exportRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const frame = need(id);
    // Like a database import, a database export reaches past the data root: off when there is one.
    if (ctx.dataRoot !== null) throw new FloeError("forbidden", "database exports are disabled when the server has a --data-root");
    // Connected and checked before the job: an unreachable server or an existing table is this request's error.
    const writer = await DbTableWriter.open({ url: body.db, table: body.table, ifExists: body.if_exists });
    const { job, done } = node.jobs.start(`export ${id} to ${writer.label}`, async (j) => {
      const local = await node.localFrame(frame).catch(async (err) => {
        await writer.abort();
        throw err;
      });
      return writeFrame(writer, local, j.signal);
    });
    done.catch(() => {});
    return c.json({ job: jobJson(job) }, 202);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    need(id);
    await node.deleteFrame(id);
    return c.json({ deleted: id }, 200);
  });
}
