import { describe, it, expect } from 'vitest';
import { svd, singularValues, conditionNumber } from './svd';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}
function gauss(r: () => number) { return Math.sqrt(-2 * Math.log(r() + 1e-300)) * Math.cos(2 * Math.PI * r()); }

/** Random orthogonal n×n (row-major) via Gram–Schmidt on a Gaussian matrix (independent of the code under test). */
function orthogonal(n: number, r: () => number): Float64Array {
  const Q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, () => gauss(r));
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += v[i] * Q[i * n + k];
        for (let i = 0; i < n; i++) v[i] -= d * Q[i * n + k];
      }
    }
    const nrm = Math.hypot(...v);
    for (let i = 0; i < n; i++) Q[i * n + j] = v[i] / nrm;
  }
  return Q;
}

/** A = P[:, :k] diag(s) Q[:, :k]ᵀ, rows×cols. */
function construct(rows: number, cols: number, s: number[], r: () => number): Float64Array {
  const P = orthogonal(rows, r), Q = orthogonal(cols, r);
  const A = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    let a = 0;
    for (let t = 0; t < s.length; t++) a += P[i * rows + t] * s[t] * Q[j * cols + t];
    A[i * cols + j] = a;
  }
  return A;
}

describe('svd (one-sided Jacobi, float64)', () => {
  const shapes: [number, number][] = [[1, 1], [1, 5], [5, 1], [4, 4], [7, 3], [3, 7], [16, 48], [48, 16], [32, 32]];
  for (const [rows, cols] of shapes) {
    it(`recovers constructed singular values and reconstructs A for ${rows}x${cols}`, () => {
      const r = rng(rows * 100 + cols);
      const k = Math.min(rows, cols);
      const s = Array.from({ length: k }, () => 0.01 + 10 * r()).sort((a, b) => b - a);
      const A = construct(rows, cols, s, r);
      const res = svd(A, rows, cols);
      expect(res.k).toBe(k);
      for (let i = 0; i < k; i++) expect(Math.abs(res.S[i] - s[i]) / s[0]).toBeLessThan(1e-12);
      // reconstruction and orthonormality
      let err = 0;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        let a = 0;
        for (let t = 0; t < k; t++) a += res.U[i * k + t] * res.S[t] * res.V[j * k + t];
        err = Math.max(err, Math.abs(a - A[i * cols + j]));
      }
      expect(err).toBeLessThan(1e-12 * s[0] * 10);
      for (const [M, n] of [[res.U, rows], [res.V, cols]] as const) {
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
          let d = 0;
          for (let i = 0; i < n; i++) d += M[i * k + a] * M[i * k + b];
          expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    });
  }

  it('handles rank deficiency, repeated values, nested-array input and known small cases', () => {
    const r = rng(7);
    const A = construct(6, 5, [3, 3, 1, 0, 0], r);
    const s = singularValues(A, 6, 5);
    expect(Array.from(s).map((x) => +x.toFixed(10))).toEqual([3, 3, 1, 0, 0]);
    expect(conditionNumber(s)).toBeGreaterThan(1e12);
    expect(conditionNumber(new Float64Array([2, 0]))).toBe(Infinity);
    // [[3,0],[4,5]] has singular values sqrt(45) and sqrt(5)
    const t = singularValues([[3, 0], [4, 5]], 2, 2);
    expect(t[0]).toBeCloseTo(Math.sqrt(45), 13);
    expect(t[1]).toBeCloseTo(Math.sqrt(5), 13);
    expect(conditionNumber(t)).toBeCloseTo(3, 12);
    expect(() => singularValues([1, 2, 3], 2, 2)).toThrow();
  });

  it('is fast enough for SN diagnostics (256 x 2304 conv kernel)', () => {
    const r = rng(3);
    const A = Float64Array.from({ length: 256 * 2304 }, () => gauss(r));
    const t0 = performance.now();
    const s = singularValues(A, 256, 2304);
    const ms = performance.now() - t0;
    // Marchenko–Pastur: for a Gaussian 256×2304 matrix σ ∈ [√2304 − √256, √2304 + √256] ≈ [32, 64]
    expect(s[0]).toBeGreaterThan(60); expect(s[0]).toBeLessThan(66);
    expect(s[255]).toBeGreaterThan(30); expect(s[255]).toBeLessThan(34);
    expect(ms).toBeLessThan(20_000);
  });
});
