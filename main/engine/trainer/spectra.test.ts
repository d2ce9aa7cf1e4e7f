import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { svd } from '../linalg/svd';
import { matricise } from '../sn/matricise';
import { gram, kernelSingularValues, layerSpectrum, matriciseHost, spectraOf, type HostKernel } from './spectra';
import { SpectraRunner } from './spectra-runner';
import { Rng } from './rng';

const rand = (n: number, seed: number) => new Rng(seed).normal(n, 1);

function kernel(name: string, kind: HostKernel['kind'], shape: number[], seed: number): HostKernel {
  return { name, kind, shape, data: rand(shape.reduce((a, b) => a * b, 1), seed) };
}

describe('spectra', () => {
  it('matricises with the output axis as rows, exactly like sn/matricise', () => {
    for (const [kind, shape] of [['dense', [5, 7]], ['conv2d', [3, 2, 4, 6]], ['conv2dTranspose', [4, 3, 5, 2]]] as const) {
      const k = kernel('k', kind, [...shape], 3);
      const { m, rows, cols } = matriciseHost(k);
      const t = matricise(tf.tensor(k.data, [...shape]), kind);
      expect([rows, cols]).toEqual(t.shape);
      expect(Array.from(m)).toEqual(Array.from(t.dataSync()).map((v) => v));
      t.dispose();
    }
  });

  it('Gram eigenvalues give the same singular values as the Jacobi SVD of the matrix (wide and tall)', () => {
    for (const [kind, shape, seed] of [['dense', [40, 9], 1], ['dense', [9, 40], 2], ['conv2d', [3, 3, 6, 20], 4], ['conv2dTranspose', [4, 4, 8, 3], 5]] as const) {
      const k = kernel('k', kind, [...shape], seed);
      const { m, rows, cols } = matriciseHost(k);
      const ref = svd(m, rows, cols).S;
      const got = kernelSingularValues(k);
      expect(got.length).toBe(Math.min(rows, cols));
      for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i], 9);
    }
  });

  it('gram of either side matches a direct product', () => {
    const m = Float64Array.from(rand(12, 9));
    const a = gram(m, 3, 4); // 3×3 = A Aᵀ
    const b = gram(m, 4, 3); // viewed as 4×3: 3×3 = Aᵀ A
    expect(a.k).toBe(3);
    expect(b.k).toBe(3);
    let s = 0;
    for (let c = 0; c < 4; c++) s += m[0 * 4 + c] * m[2 * 4 + c];
    expect(a.g[0 * 3 + 2]).toBeCloseTo(s, 12);
    let t = 0;
    for (let r = 0; r < 4; r++) t += m[r * 3 + 0] * m[r * 3 + 2];
    expect(b.g[0 * 3 + 2]).toBeCloseTo(t, 12);
  });

  it('summary: σ_max, condition number, share below 1 % of σ_max, top-256 truncation', () => {
    // diag(10, 5, 0.2, 0.01) padded into a 4×6 dense kernel ([in=6, out=4])
    const data = new Float32Array(24);
    [10, 5, 0.2, 0.01].forEach((v, i) => (data[i * 4 + i] = v)); // kernel[in=i][out=i]
    const s = layerSpectrum({ name: 'D/x', kind: 'dense', shape: [6, 4], data });
    expect(s.rows).toBe(4);
    expect(s.cols).toBe(6);
    expect(s.count).toBe(4);
    expect(s.sigmaMax).toBeCloseTo(10, 5);
    expect(s.values[3]).toBeCloseTo(0.01, 5);
    expect(s.condition!).toBeCloseTo(1000, 0);
    expect(s.smallShare).toBe(0.25); // only 0.01 < 0.1
    const rankDef = layerSpectrum({ name: 'z', kind: 'dense', shape: [3, 3], data: new Float32Array([1, 0, 0, 0, 0, 0, 0, 0, 0]) });
    expect(rankDef.condition).toBeNull();
    expect(rankDef.smallShare).toBeCloseTo(2 / 3, 12);
    const big = layerSpectrum(kernel('big', 'dense', [300, 280], 8), 256);
    expect(big.count).toBe(280);
    expect(big.values.length).toBe(256);
  });
});

describe('symmetric eigenvalues (Householder + QL)', () => {
  it('match the Jacobi SVD of random PSD and indefinite symmetric matrices, incl. repeated and zero eigenvalues', async () => {
    const { symmetricEigenvalues } = await import('./spectra-eig');
    for (const n of [1, 2, 3, 7, 40, 97]) {
      const m = Float64Array.from(rand(n * n, n));
      const sym = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = m[i * n + j] + m[j * n + i];
      // indefinite: compare |λ| sorted with the singular values
      const ev = symmetricEigenvalues(sym, n)!;
      const abs = Array.from(ev).map(Math.abs).sort((a, b) => b - a);
      const ref = svd(sym, n, n).S;
      abs.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 8));
      for (let i = 1; i < n; i++) expect(ev[i]).toBeLessThanOrEqual(ev[i - 1]);
    }
    // rank-deficient PSD with a repeated eigenvalue: diag(3, 3, 0, 0) rotated
    const q = svd(rand(16, 77), 4, 4).U;
    const lam = [3, 3, 0, 0];
    const a = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) a[i * 4 + j] += q[i * 4 + k] * lam[k] * q[j * 4 + k];
    Array.from(symmetricEigenvalues(a, 4)!).forEach((v, i) => expect(v).toBeCloseTo(lam[i], 10));
  });
});

describe('SpectraRunner without a worker', () => {
  it('computes inline and gives the same result as spectraOf', async () => {
    const ks = [kernel('D/a', 'dense', [6, 5], 21)];
    const inline = new SpectraRunner();
    expect(inline.mode).toBe('inline');
    expect((await inline.compute(ks.map((k) => ({ ...k, data: k.data.slice() })))).spectra).toEqual(spectraOf(ks));
    await inline.dispose();
  });
});
