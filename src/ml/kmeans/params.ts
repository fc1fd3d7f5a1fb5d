// Parameters of k-means, with H2O's names and defaults (hex/kmeans/KMeansModel.java):
// k = 1, max_iterations = 10, standardize = true, estimate_k = false. floe's default
// init is its own Coreset (H2O's is Furthest, which lands far above the best clustering
// on plain blobs); H2O's values work when named, and the help says where they differ.

import { defineParams, type ParamsOf } from "../params.ts";

export const KMEANS_INITS = ["Coreset", "Random", "PlusPlus", "Furthest"] as const;

export const KMEANS_PARAMS = defineParams([
  { name: "k", type: "int", default: 1, min: 1, max: 1_000_000, help: "Number of clusters (with estimate_k: the most clusters tried)." },
  {
    name: "init",
    type: "enum",
    default: "Coreset",
    values: KMEANS_INITS,
    help: "Initial centers. Coreset (floe's default; H2O's is Furthest, which can land far from the best clusters): the best of 10 greedy k-means++ starts, each refined by Lloyd, on a weighted sample of about 16,384 rows drawn in one pass (a lightweight coreset); within 1% of scikit-learn's best of 10 starts on floe's tests and benchmark. H2O's: Random (k rows at random), PlusPlus (k-means++: each next row drawn with probability ∝ squared distance) or Furthest (each next row the one furthest from the centers so far); floe draws these over all rows, H2O over a k-means|| sample.",
  },
  {
    name: "max_iterations",
    type: "int",
    default: 10,
    min: 1,
    max: 1_000_000,
    help: "Most Lloyd iterations (per k with estimate_k); Lloyd stops sooner once fewer than 1e-4 of the rows change cluster (H2O) or the squared shifts of the centers sum to at most 1e-4 of the mean column variance (scikit-learn).",
  },
  { name: "standardize", type: "bool", default: true, help: "Center numeric columns on their mean and scale them to unit standard deviation." },
  {
    name: "estimate_k",
    type: "bool",
    default: false,
    help: "Find the number of clusters, up to k: grow from 1 by splitting the widest cluster until the relative gain in within-cluster sum of squares falls below H2O's cutoff.",
  },
  { name: "seed", type: "int", default: -1, help: "Random seed (-1: drawn at random and reported)." },
  { name: "ignore_const_cols", type: "bool", default: true, help: "Drop constant columns before training." },
  { name: "max_runtime_secs", type: "float", default: 0, min: 0, help: "Stop iterating after this many seconds (0: no limit)." },
]);

export type KMeansParams = ParamsOf<typeof KMEANS_PARAMS>;
