// H2O's top_n / bottom_n / compare_abs of predict_contributions: which columns a row shows and
// in what order (hex.genmodel's ContributionComposer), and the output columns' names.
//   top_n only: the top_n largest, descending; bottom_n only: the bottom_n smallest, ascending;
//   either negative, or together covering every column: all, descending (the columns keep H2O's
//   names: top_feature_i for the first top_n, bottom_feature_j after); both: the top_n largest
//   descending, then the bottom_n smallest ascending. compare_abs compares |value|. Ties keep
//   the input order (H2O's sort is stable).

export interface SortOptions {
  readonly topN: number;
  readonly bottomN: number;
  readonly compareAbs: boolean;
}

export interface SortedLayout {
  /** Column names of each shown contribution: the feature (an enum of the input names) and its value. */
  readonly columns: readonly { readonly feature: string; readonly value: string }[];
  /** The input indices a row shows, in column order (row: the inputs' values then the bias). */
  order(row: Float64Array): number[];
}

/** H2O's adjustment: a negative count, or one above the inputs, means every input. */
function adjusted(n: number, p: number): number {
  return n < 0 || n > p ? p : n;
}

/** Input indices sorted by value (or |value|), descending (`direction` −1) or ascending (1), stably. */
function sorted(row: Float64Array, p: number, abs: boolean, direction: number): number[] {
  const key = (j: number) => (abs ? Math.abs(row[j]) : row[j]) * direction;
  return Array.from({ length: p }, (_, j) => j).sort((a, b) => key(a) - key(b));
}

export function sortedLayout(p: number, o: SortOptions): SortedLayout {
  const top = adjusted(o.topN, p);
  const bottom = adjusted(o.bottomN, p);
  const shown = Math.min(top + bottom, p);
  const columns = Array.from({ length: shown }, (_, s) =>
    s < top ? { feature: `top_feature_${s + 1}`, value: `top_value_${s + 1}` } : { feature: `bottom_feature_${s - top + 1}`, value: `bottom_value_${s - top + 1}` },
  );
  const order = (row: Float64Array): number[] => {
    if (o.topN !== 0 && o.bottomN === 0) return sorted(row, p, o.compareAbs, -1).slice(0, top);
    if (o.topN === 0 && o.bottomN !== 0) return sorted(row, p, o.compareAbs, 1).slice(0, bottom);
    const descending = sorted(row, p, o.compareAbs, -1);
    if (o.topN + o.bottomN >= p || o.topN < 0 || o.bottomN < 0) return descending;
    // The smallest bottom_n, reversed to ascending; H2O swaps only unequal values.
    const last = descending.slice(p - o.bottomN);
    for (let i = 0; i < last.length >> 1; i++) {
      const a = last[i];
      const b = last[last.length - 1 - i];
      if (row[a] !== row[b]) {
        last[i] = b;
        last[last.length - 1 - i] = a;
      }
    }
    return [...descending.slice(0, o.topN), ...last];
  };
  return { columns, order };
}
