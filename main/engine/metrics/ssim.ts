/**
 * SSIM (Wang et al. 2004) and MS-SSIM (Wang, Simoncelli & Bovik 2003), plain float64, no tfjs.
 * Gaussian window σ = 1.5 (11×11, 'valid' filtering), C₁ = (0.01 L)², C₂ = (0.03 L)², per channel then averaged.
 * MS-SSIM: contrast-structure at each scale, luminance at the coarsest only, 2×2 average-pool between scales,
 * the standard exponents (0.0448, 0.2856, 0.3001, 0.2363, 0.1333). The standard five scales need the 11×11
 * window to fit at the coarsest, i.e. a side ≥ 11·2⁴ = 176 px. Smaller images use only the scales where the
 * full window fits (`msssimScales`: 2 for 28–43 px, 3 for 44–87 px, …) with those exponents renormalised, and
 * that count is reported beside the score — a 28–32 px "MS-SSIM" is a 2-scale MS-SSIM, named so. (Shrinking
 * the window to reach more scales, as this file once did, leaves one valid window position at 4×4: noise, not
 * structure.) Images under 11 px fall back to one scale with the window shrunk to the image. Negative terms
 * are clamped to 0 before the power.
 *
 * Sample diversity (as the SN paper's conditional study uses): mean MS-SSIM between random pairs of generated
 * images — lower means more diverse; a collapsed generator approaches 1.
 */

export interface Plane {
  width: number;
  height: number;
  data: Float64Array;
}

export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

function gaussianWindow(size: number, sigma = 1.5): Float64Array {
  const w = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) s += w[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) w[i] /= s;
  return w;
}

/** Separable 'valid' filter of p with the 1-D window g (size k): output (h−k+1) × (w−k+1). */
function filter(p: Float64Array, w: number, h: number, g: Float64Array): Float64Array {
  const k = g.length, ow = w - k + 1, oh = h - k + 1;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += g[i] * p[y * w + x + i];
      tmp[y * ow + x] = s;
    }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += g[i] * tmp[(y + i) * ow + x];
      out[y * ow + x] = s;
    }
  return out;
}

/** Mean SSIM and mean contrast-structure term of two planes at one scale. */
export function ssimTerms(a: Plane, b: Plane, dataRange = 1, winSize = 11): { ssim: number; cs: number } {
  if (a.width !== b.width || a.height !== b.height) throw new Error('SSIM: image sizes differ');
  const { width: w, height: h } = a;
  const k = Math.max(1, Math.min(winSize, w, h));
  const g = gaussianWindow(k);
  const C1 = (0.01 * dataRange) ** 2, C2 = (0.03 * dataRange) ** 2;
  const n = w * h;
  const aa = new Float64Array(n), bb = new Float64Array(n), ab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    aa[i] = a.data[i] * a.data[i];
    bb[i] = b.data[i] * b.data[i];
    ab[i] = a.data[i] * b.data[i];
  }
  const mu1 = filter(a.data, w, h, g), mu2 = filter(b.data, w, h, g);
  const e11 = filter(aa, w, h, g), e22 = filter(bb, w, h, g), e12 = filter(ab, w, h, g);
  let ssim = 0, cs = 0;
  for (let i = 0; i < mu1.length; i++) {
    const m1 = mu1[i], m2 = mu2[i];
    const s11 = e11[i] - m1 * m1, s22 = e22[i] - m2 * m2, s12 = e12[i] - m1 * m2;
    const c = (2 * s12 + C2) / (s11 + s22 + C2);
    cs += c;
    ssim += ((2 * m1 * m2 + C1) / (m1 * m1 + m2 * m2 + C1)) * c;
  }
  return { ssim: ssim / mu1.length, cs: cs / mu1.length };
}

function pool2(p: Plane): Plane {
  const w = Math.floor(p.width / 2), h = Math.floor(p.height / 2);
  const d = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = 2 * y * p.width + 2 * x;
      d[y * w + x] = 0.25 * (p.data[i] + p.data[i + 1] + p.data[i + p.width] + p.data[i + p.width + 1]);
    }
  return { width: w, height: h, data: d };
}

/** Scales of the full 11×11 window a w × h image holds (5 = the standard MS-SSIM, from 176 px); at least 1. */
export function msssimScales(w: number, h: number): number {
  const side = Math.min(w, h);
  if (side < 11) return 1;
  return Math.min(MS_SSIM_WEIGHTS.length, 1 + Math.floor(Math.log2(side / 11)));
}

export function msssimPlanes(a: Plane, b: Plane, dataRange = 1): number {
  const weights: number[] = [];
  let pa = a, pb = b;
  const planes: [Plane, Plane][] = [];
  const scales = msssimScales(a.width, a.height);
  for (let s = 0; s < scales; s++) {
    planes.push([pa, pb]);
    weights.push(MS_SSIM_WEIGHTS[s]);
    pa = pool2(pa);
    pb = pool2(pb);
  }
  if (!planes.length) throw new Error('MS-SSIM: image smaller than 3×3');
  const wsum = weights.reduce((x, y) => x + y, 0);
  let out = 1;
  planes.forEach(([x, y], s) => {
    const t = ssimTerms(x, y, dataRange);
    const v = s === planes.length - 1 ? t.ssim : t.cs;
    out *= Math.max(0, v) ** (weights[s] / wsum);
  });
  return out;
}

/** A batch of NHWC images (values in [0, dataRange]). */
export interface ImageBatch {
  count: number;
  width: number;
  height: number;
  channels: number;
  data: ArrayLike<number>;
}

function plane(batch: ImageBatch, index: number, channel: number): Plane {
  const { width: w, height: h, channels: c } = batch;
  const d = new Float64Array(w * h);
  const o = index * w * h * c;
  for (let i = 0; i < w * h; i++) d[i] = batch.data[o + i * c + channel];
  return { width: w, height: h, data: d };
}

/** Single-scale SSIM between images i and j of a batch (mean over channels). */
export function ssim(batch: ImageBatch, i: number, j: number, dataRange = 1): number {
  let s = 0;
  for (let c = 0; c < batch.channels; c++) s += ssimTerms(plane(batch, i, c), plane(batch, j, c), dataRange).ssim;
  return s / batch.channels;
}

/** MS-SSIM between images i and j of a batch (mean over channels). */
export function msssim(batch: ImageBatch, i: number, j: number, dataRange = 1): number {
  let s = 0;
  for (let c = 0; c < batch.channels; c++) s += msssimPlanes(plane(batch, i, c), plane(batch, j, c), dataRange);
  return s / batch.channels;
}

/** Mean MS-SSIM over `pairs` random distinct pairs: lower = more diverse samples. */
export function msssimDiversity(batch: ImageBatch, pairs: number, rng: () => number, dataRange = 1): number {
  if (batch.count < 2) throw new Error('diversity needs at least 2 images');
  let s = 0;
  for (let p = 0; p < pairs; p++) {
    const i = Math.floor(rng() * batch.count);
    let j = Math.floor(rng() * (batch.count - 1));
    if (j >= i) j++;
    s += msssim(batch, i, j, dataRange);
  }
  return s / pairs;
}
