// What metrics are computed from: per chunk, the actual response and the model's output.
// A scored chunk is a view beside a frame's chunk, so metric tasks run through the same
// executor as everything else (locally now, on the nodes holding the chunks later).

export interface ScoredChunk {
  readonly index: number;
  readonly rows: number;
  /** Actual response: a number (regression) or a class code; NaN = missing, skipped. */
  readonly y: Float64Array;
  /**
   * Model output, `width` values per row (row-major): the prediction (regression), the
   * probability of class 1 (binomial, width 1) or of each class (multinomial).
   */
  readonly p: Float64Array;
  readonly width: number;
  /** Row weights (0 drops a row); absent = all 1. */
  readonly w?: Float64Array;
}

/** Probabilities are clipped to [EPS, 1 − EPS] for log loss, as H2O and scikit-learn do. */
export const LOGLOSS_EPS = 1e-15;
