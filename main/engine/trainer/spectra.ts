/**
 * Exact singular-value spectra of weight kernels, pure float64 JavaScript (no tfjs, so it runs in a
 * worker thread): the kernel is matricised with the OUTPUT axis as rows (engine/sn/matricise.ts), the Gram
 * matrix of its smaller side is formed in float64, and its eigenvalues (= σ²) come from Householder
 * tridiagonalisation + implicit QL (spectra-eig.ts; the Jacobi SVD of linalg/svd.ts if QL fails). Squaring limits relative accuracy to ~1e-8·σ_max for the
 * smallest values, far below the 1 % threshold the collapse check uses.
 */
import type { LayerSpectrum } from '../../../shared/events';
import { singularValues } from '../linalg/svd';
import { symmetricEigenvalues } from './spectra-eig';

export type KernelKind = 'dense' | 'conv2d' | 'conv2dTranspose';

/** A kernel copied to the host: what the worker receives. */
export interface HostKernel {
  name: string;
  kind: KernelKind;
  shape: number[];
  data: Float32Array;
}

/** How many singular values a record keeps (the largest); `count` says how many there are. */
export const SPECTRUM_TOP = 256;
/** A value counts as "small" below this fraction of σ_max (the spectral-collapse threshold). */
export const SMALL_FRACTION = 0.01;

function outputAxis(kind: KernelKind): number {
  return kind === 'dense' ? 1 : kind === 'conv2d' ? 3 : 2;
}

/** Row-major [rows, cols] float64 copy, output axis as rows, remaining axes in kernel order. */
export function matriciseHost(k: Pick<HostKernel, 'kind' | 'shape' | 'data'>): { m: Float64Array; rows: number; cols: number } {
  const { shape, data } = k;
  const axis = outputAxis(k.kind);
  if (axis >= shape.length) throw new Error(`${k.kind} kernel of shape [${shape}]`);
  const rows = shape[axis];
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`kernel data has ${data.length} values, shape [${shape}] needs ${size}`);
  const cols = size / rows;
  // strides of the kernel in row-major order
  const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const rest = shape.map((_, i) => i).filter((i) => i !== axis);
  const m = new Float64Array(size);
  const idx = new Array<number>(rest.length).fill(0);
  for (let c = 0; c < cols; c++) {
    let base = 0;
    for (let j = 0; j < rest.length; j++) base += idx[j] * stride[rest[j]];
    for (let r = 0; r < rows; r++) m[r * cols + c] = data[base + r * stride[axis]];
    for (let j = rest.length - 1; j >= 0; j--) {
      if (++idx[j] < shape[rest[j]]) break;
      idx[j] = 0;
    }
  }
  return { m, rows, cols };
}

/** Gram matrix of the smaller side: A·Aᵀ (rows ≤ cols) or Aᵀ·A, k × k, float64. */
export function gram(m: Float64Array, rows: number, cols: number): { g: Float64Array; k: number } {
  if (rows <= cols) {
    const g = new Float64Array(rows * rows);
    for (let i = 0; i < rows; i++) {
      const oi = i * cols;
      for (let j = i; j < rows; j++) {
        const oj = j * cols;
        let s = 0;
        for (let c = 0; c < cols; c++) s += m[oi + c] * m[oj + c];
        g[i * rows + j] = s;
        g[j * rows + i] = s;
      }
    }
    return { g, k: rows };
  }
  // Aᵀ A: accumulate outer products of rows (cache-friendly over row-major A)
  const g = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let i = 0; i < cols; i++) {
      const a = m[o + i];
      if (a === 0) continue;
      const gi = i * cols;
      for (let j = i; j < cols; j++) g[gi + j] += a * m[o + j];
    }
  }
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) g[i * cols + j] = g[j * cols + i];
  return { g, k: cols };
}

/** All singular values of the matricised kernel, descending. */
export function kernelSingularValues(k: Pick<HostKernel, 'kind' | 'shape' | 'data'>): Float64Array {
  const { m, rows, cols } = matriciseHost(k);
  const { g, k: n } = gram(m, rows, cols);
  // PSD: eigenvalues = singular values of the Gram matrix (Jacobi as the fallback)
  const ev = symmetricEigenvalues(g, n) ?? singularValues(g, n, n);
  return ev.map((v) => Math.sqrt(Math.max(0, v)));
}

/** The stored record for one layer (shared/events.ts LayerSpectrum). */
export function summariseSpectrum(name: string, rows: number, cols: number, s: Float64Array, top = SPECTRUM_TOP): LayerSpectrum {
  const sigmaMax = s.length ? s[0] : 0;
  const sigmaMin = s.length ? s[s.length - 1] : 0;
  let small = 0;
  for (const v of s) if (v < SMALL_FRACTION * sigmaMax) small++;
  return {
    name,
    rows,
    cols,
    count: s.length,
    values: Array.from(s.subarray(0, top)),
    sigmaMax,
    // σ_min = 0 (rank-deficient): null, as JSON has no Infinity
    condition: sigmaMin > 0 ? sigmaMax / sigmaMin : null,
    smallShare: s.length ? small / s.length : 0,
  };
}

export function layerSpectrum(k: HostKernel, top = SPECTRUM_TOP): LayerSpectrum {
  const axis = outputAxis(k.kind);
  const rows = k.shape[axis];
  const cols = k.data.length / rows;
  return summariseSpectrum(k.name, rows, cols, kernelSingularValues(k), top);
}

export function spectraOf(kernels: HostKernel[], top = SPECTRUM_TOP): LayerSpectrum[] {
  return kernels.map((k) => layerSpectrum(k, top));
}
