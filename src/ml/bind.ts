// Binding a scoring frame to the columns a model was trained on: columns are matched by
// name and enum levels by label, so a frame read from another file (other column order,
// other level codes) scores as the training frame did. What cannot be matched is scored
// as missing and reported once in `warnings`.

import type { Chunk } from "../core/chunk.ts";
import type { Frame } from "../core/frame.ts";

/** A column as a model knows it: its name, and its training levels when it is an enum. */
export interface TrainedColumn {
  readonly name: string;
  /** Training levels of an enum column, in code order; null for a numeric column. */
  readonly domain: readonly string[] | null;
}

export interface BoundColumn {
  /** Index of the column in the scoring frame; −1 when it is missing (all values missing). */
  readonly col: number;
  /** Enum columns: the training code of each of the frame's codes (−1: unseen level). */
  readonly recode?: Int32Array;
}

export function bindColumns(frame: Frame, columns: readonly TrainedColumn[], warnings: string[]): BoundColumn[] {
  return columns.map((spec): BoundColumn => {
    const col = frame.columns.findIndex((c) => c.name === spec.name);
    if (col < 0) {
      warnings.push(`column '${spec.name}' is missing: scored as missing values`);
      return { col: -1 };
    }
    const cs = frame.columns[col];
    if (spec.domain) {
      if (cs.type !== "enum") {
        warnings.push(`column '${spec.name}' was an enum in training but is ${cs.type} here: scored as missing values`);
        return { col: -1 };
      }
      const index = new Map(spec.domain.map((l, i) => [l, i]));
      const unknown: string[] = [];
      const recode = Int32Array.from(cs.domain ?? [], (level) => {
        const code = index.get(level);
        if (code === undefined) unknown.push(level);
        return code ?? -1;
      });
      if (unknown.length) {
        const shown = unknown.slice(0, 5).join(", ") + (unknown.length > 5 ? ", …" : "");
        warnings.push(`column '${spec.name}': ${unknown.length} level(s) not seen in training (${shown}) scored as missing`);
      }
      return { col, recode };
    }
    if (cs.type !== "numeric" && cs.type !== "time") {
      warnings.push(`column '${spec.name}' was numeric in training but is ${cs.type} here: scored as missing values`);
      return { col: -1 };
    }
    return { col };
  });
}

/** A response column and how to read it: numbers, or enum codes recoded to training codes. */
export interface ResponseColumn {
  readonly col: number;
  readonly recode?: Int32Array;
}

/** Writes a chunk's response into `out` (a value or a training class code; NaN when missing or unseen). */
export function readResponse(chunk: Chunk, y: ResponseColumn, out: Float64Array): void {
  const vec = chunk.vecs[y.col];
  const recode = y.recode;
  for (let i = 0; i < chunk.rows; i++) {
    let v = Number.NaN;
    if (vec.kind === "f64") v = vec.values[i];
    else if (vec.kind === "codes") {
      const c = recode && vec.codes[i] >= 0 ? recode[vec.codes[i]] : vec.codes[i];
      v = c < 0 ? Number.NaN : c;
    }
    out[i] = v;
  }
}

/** The training class code of each of a frame's levels (−1: a level training never saw). */
export function recodeLevels(levels: readonly string[], domain: readonly string[]): Int32Array {
  const index = new Map(domain.map((l, i) => [l, i]));
  return Int32Array.from(levels, (l) => index.get(l) ?? -1);
}

/**
 * The response of a scoring frame, when it has one of a fitting type: an enum recoded to
 * the model's classes by label, or numbers read as they are (a regression's response, or
 * class codes when `numbersAsClasses`, as a 0/1 column of a binomial GLM). Null otherwise:
 * the frame is scored without a response.
 */
export function bindResponse(frame: Frame, response: TrainedColumn, numbersAsClasses = false): ResponseColumn | null {
  const col = frame.columns.findIndex((c) => c.name === response.name);
  if (col < 0) return null;
  const spec = frame.columns[col];
  if (spec.type === "enum") return response.domain ? { col, recode: recodeLevels(spec.domain ?? [], response.domain) } : null;
  if (spec.type === "numeric" || spec.type === "time") return !response.domain || numbersAsClasses ? { col } : null;
  return null;
}
