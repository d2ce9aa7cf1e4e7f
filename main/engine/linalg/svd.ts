/**
 * Exact SVD of small dense matrices in float64 by one-sided Jacobi (Hestenes).
 * Orthogonalises the columns of A·V by plane rotations until every pair is orthogonal
 * to machine precision; then σ_j = ‖(A V)_j‖, U_j = (A V)_j / σ_j.
 * Works on the wider orientation transposed so the rotated side has min(rows, cols) columns.
 */

export type MatrixInput = Float64Array | Float32Array | number[] | number[][];

export interface SVDResult {
  /** rows × k, row-major, k = min(rows, cols) */
  U: Float64Array;
  /** k singular values, descending */
  S: Float64Array;
  /** cols × k, row-major */
  V: Float64Array;
  rows: number;
  cols: number;
  k: number;
}

function toFlat(m: MatrixInput, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  if (Array.isArray(m) && Array.isArray(m[0])) {
    const mm = m as number[][];
    if (mm.length !== rows) throw new Error(`expected ${rows} rows, got ${mm.length}`);
    for (let i = 0; i < rows; i++) {
      if (mm[i].length !== cols) throw new Error(`row ${i}: expected ${cols} columns`);
      for (let j = 0; j < cols; j++) out[i * cols + j] = mm[i][j];
    }
    return out;
  }
  const flat = m as ArrayLike<number>;
  if (flat.length !== rows * cols) throw new Error(`expected ${rows * cols} values, got ${flat.length}`);
  for (let i = 0; i < flat.length; i++) out[i] = flat[i];
  return out;
}

/** One-sided Jacobi on a column-major copy B (m × n, m ≥ n). Returns B·V (in place) and V (n × n column-major). */
function jacobi(B: Float64Array, m: number, n: number, maxSweeps = 60): Float64Array {
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  const eps = 1e-15;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let a = 0, b = 0, c = 0;
        const op = p * m, oq = q * m;
        for (let i = 0; i < m; i++) {
          const x = B[op + i], y = B[oq + i];
          a += x * x; b += y * y; c += x * y;
        }
        if (Math.abs(c) <= eps * Math.sqrt(a * b) || c === 0) continue;
        rotated = true;
        const zeta = (b - a) / (2 * c);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
        for (let i = 0; i < m; i++) {
          const x = B[op + i], y = B[oq + i];
          B[op + i] = cs * x - sn * y;
          B[oq + i] = sn * x + cs * y;
        }
        const vp = p * n, vq = q * n;
        for (let i = 0; i < n; i++) {
          const x = V[vp + i], y = V[vq + i];
          V[vp + i] = cs * x - sn * y;
          V[vq + i] = sn * x + cs * y;
        }
      }
    }
    if (!rotated) break;
  }
  return V;
}

export function svd(m: MatrixInput, rows: number, cols: number): SVDResult {
  const A = toFlat(m, rows, cols);
  const tall = rows >= cols;
  // Work on M = A (tall) or Aᵀ (wide), so M is big × k with k = min(rows, cols).
  const big = tall ? rows : cols, k = tall ? cols : rows;
  const B = new Float64Array(big * k); // column-major big × k
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (tall) B[j * big + i] = A[i * cols + j];
      else B[i * big + j] = A[i * cols + j];
    }
  }
  const W = jacobi(B, big, k);
  const S = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < big; i++) s += B[j * big + i] ** 2;
    S[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => S[b] - S[a]);
  // M = L Σ Rᵀ with L_j = B_j/σ_j (big × k), R = W (k × k). For A = M: U = L, V = R; for A = Mᵀ: U = R, V = L.
  const L = new Float64Array(big * k), R = new Float64Array(k * k), Ss = new Float64Array(k);
  order.forEach((src, dst) => {
    const s = S[src];
    Ss[dst] = s;
    for (let i = 0; i < big; i++) L[i * k + dst] = s > 0 ? B[src * big + i] / s : 0;
    for (let i = 0; i < k; i++) R[i * k + dst] = W[src * k + i];
  });
  return tall
    ? { U: L, S: Ss, V: R, rows, cols, k }
    : { U: R, S: Ss, V: L, rows, cols, k };
}

/** Singular values of a rows × cols matrix (row-major flat array or nested rows), sorted descending. */
export function singularValues(m: MatrixInput, rows: number, cols: number): Float64Array {
  return svd(m, rows, cols).S;
}

/** σ_max / σ_min (Infinity when rank-deficient). */
export function conditionNumber(s: Float64Array): number {
  const min = s[s.length - 1];
  return min > 0 ? s[0] / min : Infinity;
}
