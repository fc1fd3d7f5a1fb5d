// L-BFGS for GLMs with many columns or many classes (no Gram matrix: one gradient pass
// over the rows an evaluation), extended to the elastic net's L1 term by OWL-QN (Andrew &
// Gao, 2007): steps stay within the orthant of the current point, and the pseudo-gradient
// stands in for the gradient where |β| is not differentiable.

export interface Smooth {
  /** The smooth part of the objective (½·deviance / Σw + L2 term) and its gradient. */
  readonly value: number;
  readonly gradient: Float64Array;
}

export interface LbfgsOptions {
  /** L1 weight of each coordinate (0 for the intercept and without L1). */
  readonly l1: Float64Array;
  readonly maxIterations: number;
  /** Stop when the largest pseudo-gradient component falls below this. */
  readonly gradientEpsilon: number;
  /** Stop when the last OBJECTIVE_WINDOW iterations lowered the objective by less than this, relatively. */
  readonly objectiveEpsilon: number;
  /** Correction pairs kept. */
  readonly memory?: number;
  readonly signal?: AbortSignal;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Iterations over which progress is judged: single L-BFGS steps can be small while it still converges. */
const OBJECTIVE_WINDOW = 10;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function l1Norm(x: Float64Array, l1: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += l1[i] * Math.abs(x[i]);
  return s;
}

/** OWL-QN's pseudo-gradient of f + Σ l1_i |x_i|. */
function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array): Float64Array {
  const pg = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    if (l1[i] === 0) pg[i] = g[i];
    else if (x[i] > 0) pg[i] = g[i] + l1[i];
    else if (x[i] < 0) pg[i] = g[i] - l1[i];
    else if (g[i] + l1[i] < 0) pg[i] = g[i] + l1[i];
    else if (g[i] - l1[i] > 0) pg[i] = g[i] - l1[i];
  }
  return pg;
}

/** Minimises f(x) + Σ l1_i |x_i| from `start`; `evaluate` gives f and its gradient. */
export async function lbfgs(evaluate: (x: Float64Array) => Promise<Smooth>, start: Float64Array, o: LbfgsOptions): Promise<LbfgsResult> {
  const n = start.length;
  const m = o.memory ?? 10;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  let x: Float64Array = Float64Array.from(start);
  let cur = await evaluate(x);
  let F = cur.value + l1Norm(x, o.l1);
  const history = [F];
  for (let iter = 0; iter < o.maxIterations; iter++) {
    if (o.signal?.aborted) break;
    const pg = pseudoGradient(x, cur.gradient, o.l1);
    let pgMax = 0;
    for (let i = 0; i < n; i++) pgMax = Math.max(pgMax, Math.abs(pg[i]));
    if (pgMax < o.gradientEpsilon) return { x, value: F, iterations: iter, converged: true };
    // Two-loop recursion: d = −H·pg.
    const d = Float64Array.from(pg, (v) => -v);
    const alpha = new Float64Array(S.length);
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = dot(S[k], d) / dot(Y[k], S[k]);
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * Y[k][i];
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = dot(Y[k], d) / dot(Y[k], S[k]);
      for (let i = 0; i < n; i++) d[i] += S[k][i] * (alpha[k] - beta);
    }
    // Keep the direction a descent direction of the pseudo-gradient, coordinate by coordinate.
    for (let i = 0; i < n; i++) if (o.l1[i] > 0 && d[i] * pg[i] >= 0) d[i] = 0;
    // Backtracking line search within the orthant.
    let t = S.length ? 1 : 1 / Math.max(pgMax, 1);
    let next: Float64Array | null = null as Float64Array | null;
    let nextEval: Smooth | null = null;
    let nextF = F;
    for (let tries = 0; tries < 40; tries++) {
      const cand = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let v = x[i] + t * d[i];
        if (o.l1[i] > 0) {
          const orthant = x[i] !== 0 ? Math.sign(x[i]) : -Math.sign(pg[i]);
          if (Math.sign(v) !== orthant) v = 0;
        }
        cand[i] = v;
      }
      const e = await evaluate(cand);
      const candF = e.value + l1Norm(cand, o.l1);
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += pg[i] * (cand[i] - x[i]);
      if (Number.isFinite(candF) && candF <= F + 1e-4 * decrease) {
        next = cand;
        nextEval = e;
        nextF = candF;
        break;
      }
      t *= 0.5;
    }
    if (!next || !nextEval) return { x, value: F, iterations: iter, converged: true };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = next[i] - x[i];
      y[i] = nextEval.gradient[i] - cur.gradient[i];
    }
    if (dot(s, y) > 1e-16) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    x = next;
    cur = nextEval;
    F = nextF;
    history.push(F);
    if (history.length > OBJECTIVE_WINDOW) {
      const then = history[history.length - 1 - OBJECTIVE_WINDOW];
      if ((then - F) / Math.max(Math.abs(F), 1e-300) < o.objectiveEpsilon) return { x, value: F, iterations: iter + 1, converged: true };
    }
  }
  return { x, value: F, iterations: o.maxIterations, converged: false };
}
