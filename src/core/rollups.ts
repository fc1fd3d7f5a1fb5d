// Rollups: the per-column summaries H2O computes on ingest (rows, missing, zeros, min,
// max, mean, sd, cardinality, a small histogram), computed as two map/reduce tasks:
// moments first, then a histogram over the [min, max] they found.

import type { Chunk, ColumnType } from "./chunk.ts";
import type { ColumnRollup, ColumnSpec, Frame } from "./frame.ts";
import type { Executor, RunOptions, Task } from "./mr.ts";

/** Bins of the equal-width histogram kept for numeric and time columns. */
export const HISTOGRAM_BINS = 20;

// Per column, MOMENTS slots: count, missing, zeros, min, max, mean, m2.
const MOMENTS = 7;

export interface MomentsArgs {
  readonly types: readonly ColumnType[];
  /** Domain size of each enum column (0 for the others). */
  readonly levels: readonly number[];
}
export interface MomentsPartial {
  readonly stats: Float64Array;
  readonly levelCounts: readonly (Float64Array | null)[];
}

function emptyMoments(args: MomentsArgs): MomentsPartial {
  const stats = new Float64Array(args.types.length * MOMENTS);
  for (let c = 0; c < args.types.length; c++) {
    stats[c * MOMENTS + 3] = Infinity;
    stats[c * MOMENTS + 4] = -Infinity;
  }
  const levelCounts = args.types.map((t, c) => (t === "enum" ? new Float64Array(args.levels[c]) : null));
  return { stats, levelCounts };
}

function mapMoments(chunk: Chunk, args: MomentsArgs): MomentsPartial {
  const out = emptyMoments(args);
  const s = out.stats;
  for (let c = 0; c < args.types.length; c++) {
    const vec = chunk.vecs[c];
    const o = c * MOMENTS;
    if (vec.kind === "f64") {
      const v = vec.values;
      let n = 0;
      let zeros = 0;
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x !== x) continue;
        n++;
        if (x === 0) zeros++;
        if (x < min) min = x;
        if (x > max) max = x;
        sum += x;
      }
      const mean = n > 0 ? sum / n : 0;
      let m2 = 0;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === x) m2 += (x - mean) * (x - mean);
      }
      s[o] = n;
      s[o + 1] = v.length - n;
      s[o + 2] = zeros;
      s[o + 3] = min;
      s[o + 4] = max;
      s[o + 5] = mean;
      s[o + 6] = m2;
    } else if (vec.kind === "codes") {
      const counts = out.levelCounts[c] as Float64Array;
      const codes = vec.codes;
      let missing = 0;
      for (let i = 0; i < codes.length; i++) {
        const k = codes[i];
        if (k < 0) missing++;
        else counts[k]++;
      }
      s[o] = codes.length - missing;
      s[o + 1] = missing;
    } else {
      let missing = 0;
      for (let i = 0; i < chunk.rows; i++) if ((vec.missing[i >> 3] & (1 << (i & 7))) !== 0) missing++;
      s[o] = chunk.rows - missing;
      s[o + 1] = missing;
    }
  }
  return out;
}

/** Chan et al.'s pairwise merge of counts, means and sums of squared deviations. */
function reduceMoments(a: MomentsPartial, b: MomentsPartial): MomentsPartial {
  const stats = new Float64Array(a.stats.length);
  for (let o = 0; o < stats.length; o += MOMENTS) {
    const na = a.stats[o];
    const nb = b.stats[o];
    const n = na + nb;
    stats[o] = n;
    stats[o + 1] = a.stats[o + 1] + b.stats[o + 1];
    stats[o + 2] = a.stats[o + 2] + b.stats[o + 2];
    stats[o + 3] = Math.min(a.stats[o + 3], b.stats[o + 3]);
    stats[o + 4] = Math.max(a.stats[o + 4], b.stats[o + 4]);
    if (n > 0) {
      const delta = b.stats[o + 5] - a.stats[o + 5];
      stats[o + 5] = a.stats[o + 5] + (delta * nb) / n;
      stats[o + 6] = a.stats[o + 6] + b.stats[o + 6] + (delta * delta * na * nb) / n;
    }
  }
  const levelCounts = a.levelCounts.map((ca, c) => {
    const cb = b.levelCounts[c];
    if (!ca || !cb) return null;
    const sum = new Float64Array(ca.length);
    for (let k = 0; k < ca.length; k++) sum[k] = ca[k] + cb[k];
    return sum;
  });
  return { stats, levelCounts };
}

export const MomentsTask: Task<MomentsArgs, MomentsPartial> = {
  name: "core.moments",
  map: mapMoments,
  reduce: reduceMoments,
  empty: emptyMoments,
};

export interface HistogramArgs {
  /** Column index, start and bin width of each histogram to build. */
  readonly columns: readonly { readonly index: number; readonly start: number; readonly width: number }[];
  readonly bins: number;
}

/** Partial: counts[h * bins + b] for histogram h. */
export const HistogramTask: Task<HistogramArgs, Float64Array> = {
  name: "core.histogram",
  map(chunk, args) {
    const counts = new Float64Array(args.columns.length * args.bins);
    const last = args.bins - 1;
    args.columns.forEach(({ index, start, width }, h) => {
      const vec = chunk.vecs[index];
      if (vec.kind !== "f64") return;
      const v = vec.values;
      const base = h * args.bins;
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x !== x || x === Infinity || x === -Infinity) continue;
        let b = width > 0 ? Math.floor((x - start) / width) : 0;
        if (b > last) b = last;
        counts[base + b]++;
      }
    });
    return counts;
  },
  reduce(a, b) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
    return out;
  },
  empty(args) {
    return new Float64Array(args.columns.length * args.bins);
  },
};

/** A histogram over [min, max] (both finite) of column `index`: where its bins start, and their width. */
export function histogramColumn(index: number, min: number, max: number): HistogramArgs["columns"][number] | null {
  return Number.isFinite(min) && Number.isFinite(max) ? { index, start: min, width: (max - min) / HISTOGRAM_BINS } : null;
}

/** Histograms already counted over a frame's chunks, for some columns (see computeRollups). */
export interface CountedHistograms {
  readonly args: HistogramArgs;
  readonly counts: Float64Array;
}

/** The moments task's arguments for columns `columns`. */
export function momentsArgs(columns: readonly ColumnSpec[]): MomentsArgs {
  return { types: columns.map((c) => c.type), levels: columns.map((c) => c.domain?.length ?? 0) };
}

/**
 * Rollups of every column of `frame`, computed through `executor`. A shared parse maps
 * parts where each share is extracted: `moments`, the frame's moments folded in chunk
 * order, and `counted`, histograms over the ranges its counts found. A counted histogram is
 * taken only where its bins are exactly those the moments give (the same counts a pass
 * over the chunks makes); the other columns' histograms are a pass over the chunks.
 */
export async function computeRollups(executor: Executor, frame: Frame, opts?: RunOptions, moments?: MomentsPartial, counted?: CountedHistograms): Promise<ColumnRollup[]> {
  const { types, levels } = momentsArgs(frame.columns);
  moments ??= await executor.run(MomentsTask, frame, { types, levels }, opts);
  const s = moments.stats;

  const histColumns: HistogramArgs["columns"][number][] = [];
  types.forEach((t, c) => {
    const h = t === "numeric" || t === "time" ? histogramColumn(c, s[c * MOMENTS + 3], s[c * MOMENTS + 4]) : null;
    if (h) histColumns.push(h);
  });
  const hist = new Float64Array(histColumns.length * HISTOGRAM_BINS);
  const left: number[] = [];
  for (const [h, { index, start, width }] of histColumns.entries()) {
    const k = counted && counted.args.bins === HISTOGRAM_BINS ? counted.args.columns.findIndex((c) => c.index === index && Object.is(c.start, start) && Object.is(c.width, width)) : -1;
    if (k >= 0) hist.set((counted as CountedHistograms).counts.subarray(k * HISTOGRAM_BINS, (k + 1) * HISTOGRAM_BINS), h * HISTOGRAM_BINS);
    else left.push(h);
  }
  if (left.length) {
    const more = await executor.run(HistogramTask, frame, { columns: left.map((h) => histColumns[h]), bins: HISTOGRAM_BINS }, opts);
    left.forEach((h, j) => hist.set(more.subarray(j * HISTOGRAM_BINS, (j + 1) * HISTOGRAM_BINS), h * HISTOGRAM_BINS));
  }

  return types.map((t, c): ColumnRollup => {
    const o = c * MOMENTS;
    const count = s[o];
    const isNum = t === "numeric" || t === "time";
    const h = histColumns.findIndex((hc) => hc.index === c);
    const levelCounts = moments.levelCounts[c];
    return {
      count,
      missing: s[o + 1],
      zeros: isNum ? s[o + 2] : null,
      min: isNum && count > 0 ? s[o + 3] : null,
      max: isNum && count > 0 ? s[o + 4] : null,
      mean: isNum && count > 0 ? s[o + 5] : null,
      sd: isNum && count > 1 ? Math.sqrt(s[o + 6] / (count - 1)) : null,
      cardinality: t === "enum" ? levels[c] : null,
      histogram:
        h >= 0
          ? {
              start: histColumns[h].start,
              width: histColumns[h].width,
              counts: Array.from(hist.subarray(h * HISTOGRAM_BINS, (h + 1) * HISTOGRAM_BINS)),
            }
          : null,
      levelCounts: levelCounts ? Array.from(levelCounts) : null,
    };
  });
}
