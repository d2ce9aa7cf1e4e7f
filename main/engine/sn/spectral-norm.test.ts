import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { SpectralNorm, matricise, type SNKind } from './index';
import { singularValues } from '../linalg/svd';

beforeAll(async () => { await initBackend(); });

const SHAPES: Record<SNKind, number[]> = {
  dense: [12, 7],
  conv2d: [3, 3, 4, 6],
  conv2dTranspose: [4, 4, 5, 3],
};
const KINDS = Object.keys(SHAPES) as SNKind[];

describe('matricise', () => {
  it('puts the output axis on the rows and keeps every entry', () => {
    const k = tf.tensor(Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i), [2, 3, 4, 5]);
    const c = matricise(k, 'conv2d');
    expect(c.shape).toEqual([5, 24]);
    // row o, column ((i*3 + j)*4 + ci) = k[i, j, ci, o] = ((i*3 + j)*4 + ci)*5 + o
    const cv = c.arraySync();
    expect(cv[2][7]).toBe(7 * 5 + 2);
    const t = matricise(k, 'conv2dTranspose');
    expect(t.shape).toEqual([4, 30]);
    // row o, column ((i*3 + j)*5 + ci) = k[i, j, o, ci]
    // column 6 = (i=0, j=1, ci=1)
    expect(t.arraySync()[3][6]).toBe(((0 * 3 + 1) * 4 + 3) * 5 + 1);
    const d = matricise(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), 'dense');
    expect(d.arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(() => matricise(k, 'dense')).toThrow(/rank 2/);
    tf.dispose([k, c, t, d]);
  });
});

describe('SpectralNorm', () => {
  for (const kind of KINDS) {
    it(`${kind}: power iteration converges to the exact top singular value (float64 SVD)`, () => {
      const W = tf.variable(tf.randomNormal(SHAPES[kind], 0, 0.5, 'float32', 11));
      const sn = new SpectralNorm(W, kind, { iters: 10, seed: 3 });
      const exact = sn.exactSpectrum();
      const m = matricise(W, kind);
      expect(exact[0]).toBeCloseTo(singularValues(m.dataSync() as Float32Array, m.shape[0], m.shape[1])[0], 10);
      m.dispose();
      const before = sn.sigmaEstimate();
      for (let i = 0; i < 30; i++) sn.powerIterate();
      const est = sn.sigmaEstimate();
      expect(Math.abs(est - exact[0]) / exact[0]).toBeLessThan(1e-3);
      expect(Math.abs(before - exact[0]) / exact[0]).toBeGreaterThan(1e-3); // random u, v: far off at first
      // W̄ = W/σ has spectral norm ≈ 1
      const nb = tf.tidy(() => matricise(sn.normalized(), kind));
      const s = singularValues(nb.dataSync() as Float32Array, nb.shape[0], nb.shape[1]);
      nb.dispose();
      expect(s[0]).toBeCloseTo(1, 3);
      sn.dispose(); W.dispose();
    });
  }

  it('one iteration per step tracks σ while W drifts slowly (as in training)', () => {
    const W = tf.variable(tf.randomNormal([16, 8], 0, 1, 'float32', 5));
    const sn = new SpectralNorm(W, 'dense', { warmup: 15, seed: 1 });
    for (let step = 0; step < 40; step++) {
      tf.tidy(() => W.assign(tf.add(W, tf.mul(0.01, tf.randomNormal([16, 8], 0, 1, 'float32', 100 + step)))));
      sn.powerIterate();
    }
    const exact = sn.exactSpectrum()[0];
    expect(Math.abs(sn.sigmaEstimate() - exact) / exact).toBeLessThan(1e-2);
    sn.dispose(); W.dispose();
  });

  for (const kind of KINDS) {
    it(`${kind}: gradient through normalized() matches central finite differences`, () => {
      const shape = SHAPES[kind];
      const W = tf.variable(tf.randomNormal(shape, 0, 0.3, 'float32', 21));
      const sn = new SpectralNorm(W, kind, { iters: 3, seed: 2 });
      sn.powerIterate();
      const x = kind === 'dense' ? tf.randomNormal([5, shape[0]], 0, 1, 'float32', 7)
        : kind === 'conv2d' ? tf.randomNormal([2, 6, 6, shape[2]], 0, 1, 'float32', 7)
        : tf.randomNormal([2, 3, 3, shape[3]], 0, 1, 'float32', 7);
      const layer = (k: tf.Tensor): tf.Tensor => kind === 'dense' ? tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D)
        : kind === 'conv2d' ? tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 2, 'same')
        : tf.conv2dTranspose(x as tf.Tensor4D, k as tf.Tensor4D, [2, 6, 6, shape[2]], 2, 'same');
      const R = tf.tidy(() => tf.randomNormal(layer(W).shape, 0, 1, 'float32', 9));
      // loss(W) = Σ tanh(layer(W / σ(W))) · R, with u, v fixed (what the tape differentiates)
      const loss = () => tf.tidy(() => tf.sum(tf.mul(tf.tanh(layer(sn.normalized())), R)) as tf.Scalar);
      const { grads } = tf.variableGrads(loss, [W]);
      const g = grads[W.name].dataSync();
      expect(Object.keys(grads)).toEqual([W.name]); // u, v are not trainable
      const w0 = W.dataSync().slice();
      const eps = 3e-3;
      let maxErr = 0, maxG = 0;
      const idx = Array.from({ length: 12 }, (_, i) => Math.floor((i * w0.length) / 12) + (i % 3));
      for (const i of idx) {
        const f = (d: number) => { const w = w0.slice(); w[i] += d; W.assign(tf.tensor(w, shape)); return loss().dataSync()[0]; };
        const fd = (f(eps) - f(-eps)) / (2 * eps);
        maxErr = Math.max(maxErr, Math.abs(fd - g[i]));
        maxG = Math.max(maxG, Math.abs(g[i]));
      }
      W.assign(tf.tensor(w0, shape));
      expect(maxG).toBeGreaterThan(1e-2);
      expect(maxErr / maxG).toBeLessThan(5e-3);
      tf.dispose([x, R, ...Object.values(grads)]);
      sn.dispose(); W.dispose();
    });
  }

  it('the gradient includes the −W̄ (uᵀ G v) term from σ, i.e. is not just G/σ', () => {
    const W = tf.variable(tf.randomNormal([6, 4], 0, 1, 'float32', 4));
    const sn = new SpectralNorm(W, 'dense', { iters: 10, seed: 4 });
    sn.powerIterate();
    const G = tf.randomNormal([6, 4], 0, 1, 'float32', 8);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(sn.normalized(), G)) as tf.Scalar, [W]);
    const sigma = sn.sigmaEstimate();
    // d/dW Σ G⊙W/σ  = G/σ − (Σ G⊙W)/σ² · u vᵀ (in matrix orientation [out, in]; kernel is [in, out])
    const expected = tf.tidy(() => {
      const uvT = tf.outerProduct(sn.v as tf.Tensor1D, sn.u as tf.Tensor1D); // [in, out]
      return tf.sub(tf.div(G, sigma), tf.mul(uvT, tf.div(tf.sum(tf.mul(G, W)), sigma * sigma)));
    });
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(grads[W.name], expected))).dataSync()[0]);
    expect(d).toBeLessThan(1e-5);
    tf.dispose([G, expected, ...Object.values(grads)]);
    sn.dispose(); W.dispose();
  });

  it('state round-trips, validates, and normalized() does not move u', () => {
    const W = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 1));
    const a = new SpectralNorm(W, 'conv2d', { seed: 1, name: 'test_layer' });
    expect(a.u.name).toBe('test_layer/sn_u');
    expect(a.u.trainable).toBe(false);
    a.powerIterate();
    const s = a.getState();
    expect(s.u.length).toBe(4); expect(s.v.length).toBe(18);
    tf.dispose(a.normalized());
    expect(Array.from(a.getState().u)).toEqual(Array.from(s.u));
    const b = new SpectralNorm(W, 'conv2d', { seed: 99 });
    b.setState(s);
    expect(b.sigmaEstimate()).toBe(a.sigmaEstimate());
    expect(() => b.setState({ u: s.v, v: s.u })).toThrow(/expected u\[4\]/);
    expect(() => new SpectralNorm(W, 'conv2d', { iters: 11 })).toThrow(/iters/);
    b.iters = 10;
    expect(() => { b.iters = 0; }).toThrow();
    a.dispose(); b.dispose(); W.dispose();
  });

  it('does not leak: 1000 powerIterate + normalized calls inside tf.tidy keep numTensors flat', () => {
    const W = tf.variable(tf.randomNormal([4, 4, 8, 16], 0, 1, 'float32', 1));
    const sn = new SpectralNorm(W, 'conv2d', { iters: 2, seed: 1 });
    tf.tidy(() => { sn.powerIterate(); sn.normalized(); });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      tf.tidy(() => { sn.powerIterate(); return sn.normalized(); }).dispose();
      tf.tidy(() => { sn.powerIterate(); sn.normalized(); sn.sigma(); });
    }
    expect(tf.memory().numTensors).toBe(before);
    sn.dispose(); W.dispose();
    expect(tf.memory().numTensors).toBe(before - 3);
  });
});
