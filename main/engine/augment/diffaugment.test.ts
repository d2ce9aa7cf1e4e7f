import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { Rng } from '../trainer/rng';
import { diffAugment } from './diffaugment';
import { cutoutOf, drawAugParams, shiftOf, type AugParams } from './params';
import { augTensors, disposeAugTensors } from './tensors';
import type { AugOp } from '../../../shared/config';

beforeAll(async () => {
  await initBackend();
});

const N = 3, H = 8, W = 6, C = 3;
const input = (c = C, seed = 1) => new Rng(seed).uniform(N * H * W * c, -1, 1);
const at = (b: number, i: number, j: number, k: number, c = C) => ((b * H + i) * W + j) * c + k;

/** Plain-JS DiffAugment_pytorch.py for one op at a time, on NHWC floats. */
function reference(x: Float32Array, a: AugParams, op: AugOp, c = C): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < N; b++) {
    if (op === 'color') {
      const px = H * W;
      const img = Array.from({ length: px * c }, (_, q) => x[b * px * c + q] + a.brightness[b]);
      if (c > 1) {
        for (let p = 0; p < px; p++) {
          let m = 0;
          for (let k = 0; k < c; k++) m += img[p * c + k] / c;
          for (let k = 0; k < c; k++) img[p * c + k] = (img[p * c + k] - m) * a.saturation[b] + m;
        }
      }
      const m = img.reduce((s, v) => s + v, 0) / img.length;
      img.forEach((v, q) => (y[b * px * c + q] = (v - m) * a.contrast[b] + m));
    }
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        for (let k = 0; k < c; k++) {
          if (op === 'translation') {
            const si = i + a.ty[b], sj = j + a.tx[b];
            y[at(b, i, j, k, c)] = si >= 0 && si < H && sj >= 0 && sj < W ? x[at(b, si, sj, k, c)] : 0;
          } else if (op === 'cutout') {
            const [y0, y1, x0, x1] = a.cut.subarray(4 * b, 4 * b + 4);
            const inside = y0 >= 0 && i >= y0 && i <= y1 && j >= x0 && j <= x1;
            y[at(b, i, j, k, c)] = inside ? 0 : x[at(b, i, j, k, c)];
          }
        }
      }
    }
  }
  return y;
}

function run(x: Float32Array, a: AugParams, c = C): Float32Array {
  const t = augTensors(a);
  const out = tf.tidy(() => diffAugment(tf.tensor4d(x, [N, H, W, c]), t).dataSync() as Float32Array);
  disposeAugTensors(t);
  return out;
}

describe('DiffAugment ops against a plain-JS reference', () => {
  for (const op of ['color', 'translation', 'cutout'] as const) {
    it(`${op} matches rand_${op === 'color' ? 'brightness/saturation/contrast' : op}`, () => {
      const a = drawAugParams(new Rng(7), N, H, W, [op]);
      const x = input();
      const got = run(x, a);
      const want = reference(x, a, op);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    });
  }

  it('parameters stay in DiffAugment’s ranges', () => {
    const a = drawAugParams(new Rng(3), 400, 32, 32, ['color', 'translation', 'cutout']);
    expect(shiftOf(32)).toBe(4);
    expect(cutoutOf(32)).toBe(16);
    for (let i = 0; i < 400; i++) {
      expect(a.brightness[i]).toBeGreaterThanOrEqual(-0.5);
      expect(a.brightness[i]).toBeLessThan(0.5);
      expect(a.saturation[i]).toBeGreaterThanOrEqual(0);
      expect(a.saturation[i]).toBeLessThan(2);
      expect(a.contrast[i]).toBeGreaterThanOrEqual(0.5);
      expect(a.contrast[i]).toBeLessThan(1.5);
      expect(Math.abs(a.tx[i])).toBeLessThanOrEqual(4);
      expect(Math.abs(a.ty[i])).toBeLessThanOrEqual(4);
      const [y0, y1, x0, x1] = a.cut.subarray(4 * i, 4 * i + 4);
      expect(y0).toBeGreaterThanOrEqual(0);
      expect(y1).toBeLessThanOrEqual(31);
      expect(y1 - y0 + 1).toBeLessThanOrEqual(16);
      expect(x1 - x0 + 1).toBeGreaterThanOrEqual(8); // clipped at most to half of the square
    }
    // every shift is drawn
    expect(new Set(a.tx).size).toBe(9);
  });

  it('on 1-channel images saturation is the identity (only brightness and contrast act)', () => {
    const a = drawAugParams(new Rng(9), N, H, W, ['color']);
    const x = input(1);
    const withSat = run(x, a, 1);
    const noSat = run(x, { ...a, saturation: new Float32Array(N).fill(1) }, 1);
    expect(Array.from(withSat)).toEqual(Array.from(noSat));
    const want = reference(x, a, 'color', 1);
    for (let i = 0; i < want.length; i++) expect(withSat[i]).toBeCloseTo(want[i], 5);
  });

  it('p = 0 is the identity; p = 1 changes every sample; the RNG advances the same either way', () => {
    const ops: AugOp[] = ['color', 'translation', 'cutout'];
    const r0 = new Rng(5), r1 = new Rng(5);
    const a0 = drawAugParams(r0, N, H, W, ops, 0);
    drawAugParams(r1, N, H, W, ops, 1);
    expect(r0.getState()).toEqual(r1.getState());
    const x = input();
    const y = run(x, a0);
    // identity up to float rounding of (x − mean) × 1 + mean
    for (let i = 0; i < x.length; i++) expect(y[i]).toBeCloseTo(x[i], 6);
    const y1 = run(x, drawAugParams(new Rng(5), N, H, W, ops, 1));
    for (let b = 0; b < N; b++) expect(y1.subarray(b * H * W * C, (b + 1) * H * W * C).some((v, q) => Math.abs(v - x[b * H * W * C + q]) > 1e-3)).toBe(true);
  });
});

describe('gradients flow through each op (finite differences vs tf.grad)', () => {
  for (const op of ['color', 'translation', 'cutout'] as const) {
    it(op, () => {
      const n = 1, h = 4, w = 4, c = 3;
      const a = drawAugParams(new Rng(11), n, h, w, [op]);
      if (op === 'translation') { a.tx[0] = 1; a.ty[0] = -1; }
      const t = augTensors(a);
      const x = new Rng(2).uniform(n * h * w * c, -1, 1);
      const wts = tf.tensor4d(new Rng(4).uniform(n * h * w * c, -1, 1), [n, h, w, c]);
      // a non-linear scalar of the output, so the check is not only of a linear map
      const f = (v: tf.Tensor) => tf.sum(tf.mul(tf.square(diffAugment(v, t)), wts)) as tf.Scalar;
      const g = tf.tidy(() => tf.grad(f)(tf.tensor4d(x, [n, h, w, c])).dataSync());
      const eps = 1e-2;
      let nonzero = 0;
      for (let i = 0; i < x.length; i++) {
        const plus = Float32Array.from(x); plus[i] += eps;
        const minus = Float32Array.from(x); minus[i] -= eps;
        const fd = tf.tidy(() => (f(tf.tensor4d(plus, [n, h, w, c])).dataSync()[0] - f(tf.tensor4d(minus, [n, h, w, c])).dataSync()[0]) / (2 * eps));
        expect(g[i]).toBeCloseTo(fd, 2);
        if (Math.abs(g[i]) > 1e-4) nonzero++;
      }
      expect(nonzero).toBeGreaterThan(x.length / 4);
      disposeAugTensors(t);
      wts.dispose();
    });
  }
});
