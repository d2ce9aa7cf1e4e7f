/**
 * Kernel Inception Distance (Bińkowski et al. 2018) in a given feature space: the unbiased estimate of the
 * squared MMD with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³,
 *   MMD²ᵤ = 1/(m(m−1)) Σ_{i≠j} k(xᵢ,xⱼ) + 1/(n(n−1)) Σ_{i≠j} k(yᵢ,yⱼ) − 2/(mn) Σ_{i,j} k(xᵢ,yⱼ),
 * averaged over random subsets (as the reference implementation does) when `subsetSize` is given.
 * Unbiased: it can be slightly negative when the two sets come from the same distribution.
 *
 * NOT Inception-KID: features come from the app's own small classifier (metrics/classifier.ts).
 */

export function polyKernel(x: ArrayLike<number>, i: number, y: ArrayLike<number>, j: number, dim: number): number {
  let dot = 0;
  const oi = i * dim, oj = j * dim;
  for (let k = 0; k < dim; k++) dot += x[oi + k] * y[oj + k];
  return (dot / dim + 1) ** 3;
}

/** Unbiased MMD² (cubic kernel) between the rows ix of x and iy of y. */
export function mmd2Unbiased(x: ArrayLike<number>, ix: number[], y: ArrayLike<number>, iy: number[], dim: number): number {
  const m = ix.length, n = iy.length;
  if (m < 2 || n < 2) throw new Error('need at least 2 samples per set');
  let kxx = 0, kyy = 0, kxy = 0;
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) kxx += polyKernel(x, ix[a], x, ix[b], dim);
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) kyy += polyKernel(y, iy[a], y, iy[b], dim);
  for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) kxy += polyKernel(x, ix[a], y, iy[b], dim);
  return (2 * kxx) / (m * (m - 1)) + (2 * kyy) / (n * (n - 1)) - (2 * kxy) / (m * n);
}

export interface KidOptions {
  /** Samples per subset; default: all (one subset, no resampling). */
  subsetSize?: number;
  subsets?: number;
  /** Uniform [0,1) generator for subset choice (seeded by the caller for reproducibility). */
  rng?: () => number;
}

function choose(n: number, k: number, rng: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k);
}

/** The reference's subsets (Bińkowski et al.'s compute_kid: 100 subsets of 1,000), capped by the sample counts. */
export const KID_SUBSETS = 100;
export const KID_SUBSET_SIZE = 1000;

/** k(aᵢ, bⱼ) for all pairs, row-major na × nb. */
function gram(a: ArrayLike<number>, na: number, b: ArrayLike<number>, nb: number, dim: number): Float64Array {
  const g = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) g[i * nb + j] = polyKernel(a, i, b, j, dim);
  return g;
}

/** Unbiased MMD² of the subsets ix, iy from precomputed kernel matrices. */
function mmd2Gram(kxx: Float64Array, nx: number, kyy: Float64Array, ny: number, kxy: Float64Array, ix: number[], iy: number[]): number {
  const m = ix.length, n = iy.length;
  let sxx = 0, syy = 0, sxy = 0;
  for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) sxx += kxx[ix[a] * nx + ix[b]];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) syy += kyy[iy[a] * ny + iy[b]];
  for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) sxy += kxy[ix[a] * ny + iy[b]];
  return (2 * sxx) / (m * (m - 1)) + (2 * syy) / (n * (n - 1)) - (2 * sxy) / (m * n);
}

/**
 * KID between feature sets x (nx × dim) and y (ny × dim): mean and standard deviation over subsets, and the
 * subsets actually used (`subsetSize` is capped by nx and ny). The kernel matrices are computed once.
 */
export function kidFromFeatures(
  x: ArrayLike<number>,
  nx: number,
  y: ArrayLike<number>,
  ny: number,
  dim: number,
  o: KidOptions = {},
): { mean: number; std: number; subsets: number; subsetSize: number } {
  if (x.length !== nx * dim || y.length !== ny * dim) throw new Error('feature array sizes do not match n × dim');
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  if (!o.subsetSize) return { mean: mmd2Unbiased(x, all(nx), y, all(ny), dim), std: 0, subsets: 1, subsetSize: Math.min(nx, ny) };
  const k = Math.min(o.subsetSize, nx, ny);
  const reps = o.subsets ?? 10;
  const rng = o.rng ?? Math.random;
  const kxx = gram(x, nx, x, nx, dim), kyy = gram(y, ny, y, ny, dim), kxy = gram(x, nx, y, ny, dim);
  const vals: number[] = [];
  for (let r = 0; r < reps; r++) vals.push(mmd2Gram(kxx, nx, kyy, ny, kxy, choose(nx, k, rng), choose(ny, k, rng)));
  const mean = vals.reduce((a, b) => a + b, 0) / reps;
  const std = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, reps - 1));
  return { mean, std, subsets: reps, subsetSize: k };
}
