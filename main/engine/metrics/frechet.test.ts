import { describe, expect, it } from 'vitest';
import { featureStats, fidFromFeatures, frechetDistance, sqrtPSD, traceSqrtProduct } from './frechet';
import { KID_SUBSETS, KID_SUBSET_SIZE, kidFromFeatures, mmd2Unbiased, polyKernel } from './kid';

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
const gauss = (rng: () => number) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const samples = (n: number, d: number, rng: () => number, scale = 1, shift = 0) =>
  Float64Array.from({ length: n * d }, () => shift + scale * gauss(rng));

describe('Fréchet distance', () => {
  it('sqrtPSD squares back to the matrix', () => {
    const m = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]);
    const r = sqrtPSD(m, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += r[i * 3 + k] * r[k * 3 + j];
        expect(s).toBeCloseTo(m[i * 3 + j], 10);
      }
  });

  it('FID(X, X) = 0', () => {
    const x = samples(200, 6, mulberry(1));
    expect(fidFromFeatures(x, 200, x, 200, 6)).toBeCloseTo(0, 8);
  });

  it('matches the closed form for diagonal Gaussians', () => {
    const a = { dim: 3, mean: Float64Array.from([0, 1, 2]), cov: Float64Array.from([4, 0, 0, 0, 1, 0, 0, 0, 9]) };
    const b = { dim: 3, mean: Float64Array.from([1, 1, 0]), cov: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 4]) };
    // ‖Δμ‖² = 1 + 0 + 4; Σ(√a − √b)² = 1 + 0 + 1
    expect(frechetDistance(a, b)).toBeCloseTo(7, 10);
  });

  it('non-commuting covariances: Tr (Σ₁Σ₂)^{1/2} with Σ₁ = I is Tr Σ₂^{1/2}; symmetric in its arguments', () => {
    const I = Float64Array.from([1, 0, 0, 1]);
    const s2 = Float64Array.from([2, 1, 1, 2]); // eigenvalues 3, 1
    expect(traceSqrtProduct(I, s2, 2)).toBeCloseTo(Math.sqrt(3) + 1, 10);
    const s1 = Float64Array.from([3, -1, -1, 1.5]);
    expect(traceSqrtProduct(s1, s2, 2)).toBeCloseTo(traceSqrtProduct(s2, s1, 2), 10);
    // W₂² between N(0,I) and N(0,s2): Tr I + Tr s2 − 2(√3 + 1)
    const d = frechetDistance({ dim: 2, mean: new Float64Array(2), cov: I }, { dim: 2, mean: new Float64Array(2), cov: s2 });
    expect(d).toBeCloseTo(2 + 4 - 2 * (Math.sqrt(3) + 1), 10);
  });

  it('sample estimate approaches the Gaussian value', () => {
    const rng = mulberry(7);
    const n = 4000, d = 4;
    const x = samples(n, d, rng);
    const y = samples(n, d, rng, 2, 1); // N(1, 4I): ‖Δμ‖² = 4, Σ(1 − 2)² = 4 → 8
    expect(fidFromFeatures(x, n, y, n, d)).toBeGreaterThan(7.3);
    expect(fidFromFeatures(x, n, y, n, d)).toBeLessThan(8.7);
    const s = featureStats(Float64Array.from([1, 2, 3, 4, 5, 6]), 3, 2);
    expect(Array.from(s.mean)).toEqual([3, 4]);
    expect(Array.from(s.cov)).toEqual([4, 4, 4, 4]);
  });
});

describe('KID', () => {
  it('cubic kernel and the unbiased estimate by hand', () => {
    const x = [1, 0, 0, 1], y = [1, 1, -1, 0];
    expect(polyKernel(x, 0, y, 0, 2)).toBeCloseTo(1.5 ** 3);
    // kxx: k(x0,x1) = 1; kyy: k(y0,y1) = (−1/2+1)³ = 1/8; kxy: (1.5³ + 0.5³ + 1.5³ + 1³)/4
    const kxy = (2 * 1.5 ** 3 + 0.5 ** 3 + 1) / 4;
    expect(mmd2Unbiased(x, [0, 1], y, [0, 1], 2)).toBeCloseTo(1 + 1 / 8 - 2 * kxy, 12);
  });

  it('≈ 0 for two samples of one distribution, clearly positive for different ones', () => {
    const rng = mulberry(3);
    const a = samples(300, 5, rng), b = samples(300, 5, rng), c = samples(300, 5, rng, 1, 0.7);
    const same = kidFromFeatures(a, 300, b, 300, 5);
    const diff = kidFromFeatures(a, 300, c, 300, 5);
    expect(Math.abs(same.mean)).toBeLessThan(0.05);
    expect(diff.mean).toBeGreaterThan(0.3);
    const sub = kidFromFeatures(a, 300, c, 300, 5, { subsetSize: 100, subsets: 5, rng: mulberry(9) });
    expect(sub.mean).toBeGreaterThan(0.3);
    expect(sub.std).toBeGreaterThan(0);
    expect(sub).toMatchObject({ subsets: 5, subsetSize: 100 });
  });

  it('KID subsets: the reference 100 × 1,000, capped by the counts; equal to MMD² on the same subsets', () => {
    const rng = mulberry(4);
    const a = samples(120, 3, rng), c = samples(80, 3, rng, 1, 0.7);
    const k = kidFromFeatures(a, 120, c, 80, 3, { subsetSize: KID_SUBSET_SIZE, subsets: KID_SUBSETS, rng: mulberry(1) });
    expect(k).toMatchObject({ subsets: 100, subsetSize: 80 });
    // the precomputed-kernel path agrees with the direct estimate: one subset of everything
    const whole = kidFromFeatures(a, 120, c, 80, 3, { subsetSize: 1000, subsets: 1, rng: () => 0 });
    const direct = kidFromFeatures(a, 120, c, 80, 3);
    // subsets of 80 of the 120 rows vs all rows: different sets, so compare on equal sizes
    const a80 = a.slice(0, 80 * 3);
    const w80 = kidFromFeatures(a80, 80, c, 80, 3, { subsetSize: 80, subsets: 1, rng: () => 0 });
    expect(w80.mean).toBeCloseTo(kidFromFeatures(a80, 80, c, 80, 3).mean, 10);
    expect(whole.subsetSize).toBe(80);
    expect(direct.subsets).toBe(1);
  });
});
