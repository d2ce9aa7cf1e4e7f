/**
 * Fréchet distance between Gaussians fitted to two feature sets (the formula behind FID):
 *   d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^{1/2}).
 * Tr (Σ₁Σ₂)^{1/2} is computed exactly and symmetrically: with A = Σ₁^{1/2} (eigen-decomposition of the
 * symmetric PSD Σ₁ by the Jacobi SVD in engine/linalg/svd.ts: Σ₁ = V S Vᵀ, A = V √S Vᵀ), Σ₁Σ₂ is similar
 * to the symmetric PSD matrix A Σ₂ A, so Tr (Σ₁Σ₂)^{1/2} = Σᵢ √λᵢ(A Σ₂ A). No iterative sqrtm, no complex parts.
 *
 * NOT Inception-FID: in this app the features come from a small classifier trained on the dataset's own
 * labels (metrics/classifier.ts), so the numbers are comparable between runs on the same dataset and
 * feature extractor only — never with published FID values.
 */
import { svd } from '../linalg/svd';

export interface GaussianStats {
  dim: number;
  mean: Float64Array;
  /** dim × dim, row-major, unbiased (n − 1). */
  cov: Float64Array;
  n: number;
}

/** Mean and covariance of n feature rows (row-major n × dim). */
export function featureStats(features: ArrayLike<number>, n: number, dim: number): GaussianStats {
  if (features.length !== n * dim) throw new Error(`expected ${n * dim} values, got ${features.length}`);
  if (n < 2) throw new Error('need at least 2 samples for a covariance');
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = features[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b] / (n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { dim, mean, cov, n };
}

function matmul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  }
  return out;
}

/** Symmetric square root of a symmetric PSD matrix: V √S Vᵀ from its (exact, Jacobi) SVD. */
export function sqrtPSD(m: Float64Array, d: number): Float64Array {
  const sym = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym[i * d + j] = 0.5 * (m[i * d + j] + m[j * d + i]);
  const { S, V, k } = svd(sym, d, d); // V: d × k, orthonormal columns (the eigenvectors)
  const out = new Float64Array(d * d);
  for (let c = 0; c < k; c++) {
    const r = Math.sqrt(Math.max(0, S[c]));
    if (r === 0) continue;
    for (let i = 0; i < d; i++) {
      const vi = V[i * k + c] * r;
      if (vi === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += vi * V[j * k + c];
    }
  }
  return out;
}

/** Tr (Σ₁Σ₂)^{1/2}, exactly, via the symmetric A Σ₂ A with A = Σ₁^{1/2}. */
export function traceSqrtProduct(s1: Float64Array, s2: Float64Array, d: number): number {
  const a = sqrtPSD(s1, d);
  const m = matmul(matmul(a, s2, d), a, d);
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) m[i * d + j] = m[j * d + i] = 0.5 * (m[i * d + j] + m[j * d + i]);
  const S = svd(m, d, d).S; // singular values of a symmetric PSD matrix = its eigenvalues
  let t = 0;
  for (const s of S) t += Math.sqrt(Math.max(0, s));
  return t;
}

export function frechetDistance(a: Pick<GaussianStats, 'dim' | 'mean' | 'cov'>, b: Pick<GaussianStats, 'dim' | 'mean' | 'cov'>): number {
  const d = a.dim;
  if (b.dim !== d) throw new Error(`feature dims differ: ${d} vs ${b.dim}`);
  let diff = 0;
  for (let i = 0; i < d; i++) diff += (a.mean[i] - b.mean[i]) ** 2;
  let tr = 0;
  for (let i = 0; i < d; i++) tr += a.cov[i * d + i] + b.cov[i * d + i];
  // Clamp tiny negative round-off to 0.
  return Math.max(0, diff + tr - 2 * traceSqrtProduct(a.cov, b.cov, d));
}

/** FID in a given feature space from two feature sets (row-major n × dim). */
export function fidFromFeatures(x: ArrayLike<number>, nx: number, y: ArrayLike<number>, ny: number, dim: number): number {
  return frechetDistance(featureStats(x, nx, dim), featureStats(y, ny, dim));
}
