// What a k-means model adds to the report every front end shows: the centers (on the data's
// scale and, when standardized, on the standardized one) and each cluster's size and
// within-cluster sum of squares.

import type { ModelOutput, ModelTable } from "../algorithm.ts";
import { centerRecords, type KMeansModel } from "./model.ts";

export const kmeansOutput: ModelOutput<KMeansModel> = {
  summary: (m) => [`${m.k} clusters, ${m.iterations} iterations`],
  tables(m) {
    const centers = centerRecords(m, false);
    const headers = Object.keys(centers[0] ?? {});
    const table = (title: string, records: Record<string, number | string>[]): ModelTable => ({ title, headers, rows: records.map((r) => headers.map((h) => r[h])) });
    const tables = [table("Cluster centers", centers)];
    if (m.params.standardize) tables.push(table("Cluster centers (standardized)", centerRecords(m, true)));
    tables.push({ title: "Cluster sizes and within-cluster sums of squares", headers: ["centroid", "size", "withinss"], rows: m.size.map((n, c) => [String(c + 1), n, m.withinss[c]]) });
    return tables;
  },
  json: (m) => ({
    k: m.k,
    centers: centerRecords(m, false),
    centers_std: centerRecords(m, true),
    size: m.size,
    withinss: m.withinss,
    tot_withinss: m.tot_withinss,
    betweenss: m.betweenss,
    totss: m.totss,
    iterations: m.iterations,
    estimated_k: m.estimated_k,
  }),
};
