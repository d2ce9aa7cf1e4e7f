import { describe, expect, it } from 'vitest';
import { msssim, msssimDiversity, msssimScales, ssim, ssimTerms, type ImageBatch } from './ssim';

function mulberry(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const W = 32;
const batch = (imgs: ((x: number, y: number, c: number) => number)[], channels = 1, w = W): ImageBatch => {
  const data = new Float64Array(imgs.length * w * w * channels);
  imgs.forEach((f, n) => {
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) data[((n * w + y) * w + x) * channels + c] = f(x, y, c);
  });
  return { count: imgs.length, width: w, height: w, channels, data };
};

describe('SSIM / MS-SSIM', () => {
  const rng = mulberry(5);
  const noise = Array.from({ length: W * W * 3 }, () => rng());
  const noiseImg = (x: number, y: number, c: number) => noise[(y * W + x) * 3 + c];
  const smooth = (x: number, y: number, c: number) => 0.5 + 0.4 * Math.sin(x / 4 + c) * Math.cos(y / 5);

  it('identical images → 1', () => {
    const b = batch([smooth, smooth, noiseImg, noiseImg], 3);
    expect(ssim(b, 0, 1)).toBeCloseTo(1, 12);
    expect(msssim(b, 0, 1)).toBeCloseTo(1, 12);
    expect(msssim(b, 2, 3)).toBeCloseTo(1, 12);
  });

  it('two constant images: the luminance formula exactly (contrast-structure = 1)', () => {
    const b = batch([() => 0.2, () => 0.7]);
    const C1 = 1e-4;
    const l = (2 * 0.2 * 0.7 + C1) / (0.2 ** 2 + 0.7 ** 2 + C1);
    expect(ssim(b, 0, 1)).toBeCloseTo(l, 12);
    // 32×32 → the full 11×11 window fits at scales 32 and 16 only: luminance at the 2nd, its exponent renormalised
    expect(msssim(b, 0, 1)).toBeCloseTo(l ** (0.2856 / (0.0448 + 0.2856)), 10);
  });

  it('noise vs constant → ≈ 0; image vs its negative → negative SSIM', () => {
    const b = batch([noiseImg, () => 0.5, smooth, (x, y, c) => 1 - smooth(x, y, c)], 3);
    expect(Math.abs(ssim(b, 0, 1))).toBeLessThan(0.02);
    expect(msssim(b, 0, 1)).toBeLessThan(0.25);
    expect(ssim(b, 2, 3)).toBeLessThan(-0.5);
    expect(msssim(b, 2, 3)).toBe(0); // clamped negatives
    expect(ssim(b, 0, 1)).toBeCloseTo(ssim(b, 1, 0), 12);
  });

  it('scales: 5 (the standard) only from 176 px; 28–32 px get 2, each with ≥ 6×6 window positions', () => {
    expect([28, 32, 43, 44, 64, 88, 175, 176, 256].map((s) => msssimScales(s, s))).toEqual([2, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(msssimScales(8, 8)).toBe(1);
  });

  it('a small image (28×28, one channel) works with fewer scales', () => {
    const b = batch([smooth, noiseImg], 1, 28);
    const v = msssim(b, 0, 1);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(0.5);
    expect(ssimTerms({ width: 2, height: 2, data: Float64Array.from([0, 1, 1, 0]) }, { width: 2, height: 2, data: Float64Array.from([0, 1, 1, 0]) }).ssim).toBeCloseTo(1);
  });

  it('diversity: a collapsed set scores 1, a varied set much less', () => {
    const r = mulberry(2);
    const collapsed = batch(Array.from({ length: 6 }, () => smooth));
    expect(msssimDiversity(collapsed, 10, r)).toBeCloseTo(1, 10);
    const varied = batch(Array.from({ length: 6 }, (_, k) => (x: number, y: number) => 0.5 + 0.45 * Math.sin((x * (k + 1)) / 3 + k) * Math.cos((y * (6 - k)) / 4)));
    expect(msssimDiversity(varied, 10, r)).toBeLessThan(0.6);
  });
});
