// A frame as the front ends show it: the JSON of `floe describe --json` (the columns of the
// REST API's GET /frames/{id} hold the same fields) and the text table of `floe describe`.
// Shared by the CLI, the server's views and the remote commands, so none imports another.

import type { ColumnType } from "../core/chunk.ts";
import type { Frame } from "../core/frame.ts";
import { num, plainTable } from "./table.ts";

/** Domains longer than this are cut in the text output (JSON has them whole). */
const DOMAIN_SHOWN = 10;

/** One column of `floe describe --json` (and of the REST API's GET /frames/{id}). */
export interface ColumnDescription {
  name: string;
  type: ColumnType;
  missing: number | null;
  zeros: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  sd: number | null;
  cardinality: number | null;
  domain?: readonly string[];
}

export interface FrameDescription {
  rows: number;
  columns: ColumnDescription[];
}

export function describeJson(frame: Frame): FrameDescription {
  return {
    rows: frame.rows,
    columns: frame.columns.map((c, i) => {
      const r = frame.rollups?.[i];
      return {
        name: c.name,
        type: c.type,
        missing: r?.missing ?? null,
        zeros: r?.zeros ?? null,
        min: r?.min ?? null,
        max: r?.max ?? null,
        mean: r?.mean ?? null,
        sd: r?.sd ?? null,
        cardinality: r?.cardinality ?? null,
        ...(c.domain ? { domain: c.domain } : {}),
      };
    }),
  };
}

/** A column of the REST API's frame JSON cut to the fields (and key order) of describeJson. */
export function columnDescription(c: ColumnDescription): ColumnDescription {
  const { name, type, missing, zeros, min, max, mean, sd, cardinality, domain } = c;
  return { name, type, missing, zeros, min, max, mean, sd, cardinality, ...(domain ? { domain } : {}) };
}

function cell(x: number | null, time: boolean): string {
  if (time && x !== null && Number.isFinite(x)) return new Date(x).toISOString().replace(".000Z", "Z");
  return num(x);
}

/** The text report of a frame's description (from describeJson, or a server's frame JSON). */
export function describeText(label: string, frame: FrameDescription): string {
  const rows = frame.columns.map((c) => {
    const time = c.type === "time";
    const domain = c.domain ? c.domain.slice(0, DOMAIN_SHOWN).join(", ") + (c.domain.length > DOMAIN_SHOWN ? `, … (${c.domain.length})` : "") : "";
    const sd = c.sd === null ? "" : time ? `${num(c.sd)} ms` : num(c.sd);
    return [c.name, c.type, num(c.missing), num(c.zeros), cell(c.min, time), cell(c.max, time), cell(c.mean, time), sd, num(c.cardinality), domain];
  });
  const head = ["column", "type", "missing", "zeros", "min", "max", "mean", "sd", "cardinality", "domain"];
  return `${label}: ${frame.rows} rows, ${frame.columns.length} columns\n${plainTable(head, rows)}\n`;
}
