// Dense linear algebra for the small square systems the statistical models solve on the
// coordinator: Gram matrices of a few hundred columns (GLM's normal equations, PCA's
// covariance). Matrices are row-major Float64Arrays of n × n; symmetric ones need only
// their lower triangle filled on input.

/**
 * Cholesky factor L (lower, row-major) of a symmetric matrix A, dropping columns whose
 * pivot falls to `tol` times their diagonal or below: those are linear combinations of
 * earlier columns (collinear) and get a unit pivot and zero off-diagonals, so that a
 * solve gives them a zero coefficient. `keep[j] === false` skips column j from the start.
 */
export function choleskyDropping(A: Float64Array, n: number, tol: number, keep?: readonly boolean[]): { L: Float64Array; dropped: number[] } {
  const L = new Float64Array(n * n);
  const dropped: number[] = [];
  for (let j = 0; j < n; j++) {
    const diag = A[j * n + j];
    let d = diag;
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if ((keep && !keep[j]) || !(d > tol * Math.max(diag, Number.MIN_VALUE)) || !(diag > 0)) {
      if (!keep || keep[j]) dropped.push(j);
      // A unit row and column: the column solves to its right-hand side (zero) and feeds no other.
      for (let k = 0; k < j; k++) L[j * n + k] = 0;
      L[j * n + j] = 1;
      continue;
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return { L, dropped };
}

/** Solves L Lᵀ x = b for a Cholesky factor from choleskyDropping (b is not changed). */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * x[k];
    x[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** The inverse of L Lᵀ (full, row-major), one solve per unit vector. */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const col = choleskySolve(L, n, e);
    for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
  }
  return inv;
}

/** Copies the lower triangle of A onto its upper triangle, in place. */
export function symmetrize(A: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  return A;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: eigenvalues in
 * descending order and the matching unit eigenvectors as columns of `vectors` (row-major
 * n × n), each signed so that its largest-magnitude entry is positive.
 */
export function symmetricEigen(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = symmetrize(Float64Array.from(A), n);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += a[i * n + j] * a[i * n + j];
        if (i !== j) off += a[i * n + j] * a[i * n + j];
      }
    }
    if (off <= 1e-30 * Math.max(total, Number.MIN_VALUE)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(v[k * n + src]) > Math.abs(big)) big = v[k * n + src];
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = sign * v[k * n + src];
  });
  return { values, vectors };
}
