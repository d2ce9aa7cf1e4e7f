import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { isSpatialReduction } from './spatial-reduce';

/** Deterministic pseudo-random data so cpu and wasm see identical inputs. */
function data(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
function backpropFilter(x: tf.Tensor, dy: tf.Tensor, filterShape: number[], strides: number | [number, number], pad: unknown): tf.Tensor {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
    { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape } as never) as tf.Tensor;
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  if (!(await tf.setBackend(name))) throw new Error(`setBackend ${name} failed`);
  return f();
}

function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-12);
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case { x: [number, number, number, number]; k: [number, number]; cout: number; s: [number, number]; pad: Pad }
const CASES: Case[] = [
  { x: [2, 8, 8, 3], k: [3, 3], cout: 4, s: [1, 1], pad: 'same' },
  { x: [2, 8, 8, 3], k: [3, 3], cout: 4, s: [1, 1], pad: 'valid' },
  { x: [3, 16, 16, 4], k: [4, 4], cout: 5, s: [2, 2], pad: 'same' },
  { x: [2, 9, 7, 2], k: [4, 4], cout: 3, s: [2, 2], pad: 'same' },
  { x: [2, 9, 7, 2], k: [3, 3], cout: 3, s: [2, 2], pad: 'valid' },
  { x: [2, 11, 10, 3], k: [3, 2], cout: 2, s: [3, 2], pad: 'same' },
  { x: [2, 8, 8, 3], k: [4, 4], cout: 4, s: [2, 2], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { x: [1, 7, 9, 2], k: [3, 3], cout: 2, s: [1, 2], pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { x: [4, 4, 4, 8], k: [4, 4], cout: 1, s: [1, 1], pad: 'valid' },
];

describe('wasm kernels added by engine/wasm-kernels', () => {
  beforeAll(async () => {
    const r = await initBackend({ force: 'wasm' });
    expect(r.name).toBe('wasm');
  });

  it('wasm now has every kernel the cpu backend has that conv-GAN training uses', () => {
    const w = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    for (const k of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'LeakyRelu', 'Prelu', 'AvgPool', 'AvgPoolGrad', 'FusedBatchNorm']) {
      expect(w.has(k), k).toBe(true);
    }
  });

  for (const c of CASES) {
    const label = `x=${c.x} k=${c.k} s=${c.s} pad=${JSON.stringify(c.pad)}`;
    it(`Conv2DBackpropFilter and conv2d grads match cpu: ${label}`, async () => {
      const fShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.cout];
      const xv = data(size(c.x), 1), fv = data(size(fShape), 2);
      const compute = () => tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x), f = tf.tensor4d(fv, fShape);
        const y = tf.conv2d(x, f, c.s, c.pad);
        const r = tf.tensor(data(y.size, 3), y.shape);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r)))([x, f]);
        const dw = backpropFilter(x, tf.onesLike(y), fShape, c.s, c.pad);
        return [y, g[0], g[1], dw].map((t) => t.dataSync() as Float32Array);
      });
      const ref = await onBackend('cpu', compute);
      const got = await onBackend('wasm', compute);
      for (let i = 0; i < ref.length; i++) expect(relErr(got[i], ref[i]), `output ${i}`).toBeLessThan(1e-4);
    });
  }

  it('conv2dTranspose forward and grads (x and filter) match cpu, stride 2 same, 4x4', async () => {
    const xs: [number, number, number, number] = [2, 5, 5, 6];
    const fs: [number, number, number, number] = [4, 4, 3, 6];
    const out: [number, number, number, number] = [2, 10, 10, 3];
    const xv = data(size(xs), 4), fv = data(size(fs), 5), rv = data(size(out), 6);
    const compute = () => tf.tidy(() => {
      const x = tf.tensor4d(xv, xs), f = tf.tensor4d(fv, fs), r = tf.tensor4d(rv, out);
      const fwd = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, 2, 'same');
      const y = fwd(x, f);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fwd(a, b), r)))([x, f]);
      return [y, g[0], g[1]].map((t) => t.dataSync() as Float32Array);
    });
    const ref = await onBackend('cpu', compute);
    const got = await onBackend('wasm', compute);
    for (let i = 0; i < ref.length; i++) expect(relErr(got[i], ref[i]), `output ${i}`).toBeLessThan(1e-4);
  });

  it('a tiny conv GAN discriminator trains one step on wasm exactly like on cpu (leakyRelu, dense, all grads)', async () => {
    const compute = () => tf.tidy(() => {
      const x = tf.tensor4d(data(4 * 8 * 8 * 3, 7), [4, 8, 8, 3]);
      const w1 = tf.tensor4d(data(4 * 4 * 3 * 8, 8), [4, 4, 3, 8]);
      const w2 = tf.tensor4d(data(3 * 3 * 8 * 8, 9), [3, 3, 8, 8]);
      const wd = tf.tensor2d(data(4 * 4 * 8, 10), [128, 1]);
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        let h = tf.leakyRelu(tf.conv2d(x, a as tf.Tensor4D, 2, 'same'), 0.1);
        h = tf.leakyRelu(tf.conv2d(h as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), 0.1);
        return tf.mean(tf.softplus(tf.neg(tf.matMul(tf.reshape(h, [4, 128]), c as tf.Tensor2D))));
      };
      const { value, grads } = tf.valueAndGrads(loss)([w1, w2, wd]);
      return [value, ...grads].map((t) => t.dataSync() as Float32Array);
    });
    const ref = await onBackend('cpu', compute);
    const got = await onBackend('wasm', compute);
    for (let i = 0; i < ref.length; i++) expect(relErr(got[i], ref[i]), `output ${i}`).toBeLessThan(1e-4);
  });

  const TCASES: { x: [number, number, number, number]; k: [number, number]; cout: number; s: [number, number]; pad: 'same' | 'valid'; out: [number, number] }[] = [
    { x: [2, 4, 4, 8], k: [4, 4], cout: 3, s: [2, 2], pad: 'same', out: [8, 8] },
    { x: [2, 3, 5, 4], k: [3, 3], cout: 2, s: [2, 2], pad: 'valid', out: [7, 11] },
    { x: [1, 4, 3, 2], k: [3, 2], cout: 3, s: [3, 2], pad: 'same', out: [12, 6] },
    { x: [2, 5, 5, 3], k: [3, 3], cout: 4, s: [1, 1], pad: 'same', out: [5, 5] },
    { x: [1, 4, 4, 16], k: [4, 4], cout: 8, s: [1, 1], pad: 'valid', out: [7, 7] },
    // kernel smaller than the stride: some output phases receive no taps at all (zeros)
    { x: [1, 3, 3, 2], k: [2, 2], cout: 2, s: [3, 3], pad: 'valid', out: [8, 8] },
    { x: [2, 7, 7, 8], k: [4, 4], cout: 4, s: [2, 2], pad: 'same', out: [14, 14] },
  ];
  for (const c of TCASES) {
    it(`conv2dTranspose (wasm Conv2DBackpropInput) forward and grads match cpu: x=${c.x} k=${c.k} s=${c.s} ${c.pad} -> ${c.out}`, async () => {
      const fs: [number, number, number, number] = [c.k[0], c.k[1], c.cout, c.x[3]];
      const out: [number, number, number, number] = [c.x[0], c.out[0], c.out[1], c.cout];
      const xv = data(size(c.x), 11), fv = data(size(fs), 12), rv = data(size(out), 13);
      const compute = () => tf.tidy(() => {
        const x = tf.tensor4d(xv, c.x), f = tf.tensor4d(fv, fs), r = tf.tensor4d(rv, out);
        const fwd = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, c.s, c.pad);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fwd(a, b), r)))([x, f]);
        return [fwd(x, f), g[0], g[1]].map((t) => t.dataSync() as Float32Array);
      });
      const ref = await onBackend('cpu', compute);
      const got = await onBackend('wasm', compute);
      for (let i = 0; i < ref.length; i++) expect(relErr(got[i], ref[i]), `output ${i}`).toBeLessThan(1e-4);
    });
  }

  it('Conv2DBackpropInput with explicit padding larger than the kernel reach matches cpu', async () => {
    const compute = () => tf.tidy(() => {
      const dy = tf.tensor4d(data(2 * 5 * 6 * 3, 21), [2, 5, 6, 3]), f = tf.tensor4d(data(2 * 2 * 4 * 3, 22), [2, 2, 4, 3]);
      return (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: f }, {
        strides: [2, 1], pad: [[0, 0], [3, 2], [0, 4], [0, 0]], dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [2, 6, 3, 4],
      } as never) as tf.Tensor).dataSync() as Float32Array;
    });
    const ref = await onBackend('cpu', compute);
    const got = await onBackend('wasm', compute);
    expect(relErr(got, ref)).toBeLessThan(1e-4);
  });

  for (const [ta, tb] of [[true, false], [false, true], [true, true], [false, false]] as const) {
    it(`BatchMatMul transposeA=${ta} transposeB=${tb} matches cpu (plain and batched)`, async () => {
      const compute = () => tf.tidy(() => {
        const out: Float32Array[] = [];
        for (const [sa, sb] of [[[300, 200], [200, 150]], [[3, 64, 90], [3, 90, 70]], [[2, 40, 500], [2, 500, 30]], [[700, 300], [300, 1]], [[1, 300], [300, 700]]] as number[][][]) {
          const A = ta ? [...sa.slice(0, -2), sa[sa.length - 1], sa[sa.length - 2]] : sa;
          const B = tb ? [...sb.slice(0, -2), sb[sb.length - 1], sb[sb.length - 2]] : sb;
          const a = tf.tensor(data(size(A), 31), A), b = tf.tensor(data(size(B), 32), B);
          const r = tf.tensor(data(size([...A.slice(0, -2).length ? [Math.max(A[0], B[0])] : [], sa[sa.length - 2], sb[sb.length - 1]]), 33));
          const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb);
          const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), r.reshape(f(x, y).shape))))([a, b]);
          out.push(...[f(a, b), g[0], g[1]].map((t) => t.dataSync() as Float32Array));
        }
        return out;
      });
      const ref = await onBackend('cpu', compute);
      const got = await onBackend('wasm', compute);
      for (let i = 0; i < ref.length; i++) expect(relErr(got[i], ref[i]), `output ${i}`).toBeLessThan(1e-4);
    });
  }

  it('Sum and Mean over N, H, W (a threaded average pool) match cpu; other reductions too', async () => {
    const cases: [number[], number | number[] | undefined][] = [
      [[6, 5, 4, 7], [0, 1, 2]], [[6, 5, 4, 7], [2, 0, 1]], [[6, 5, 4, 7], [-4, -3, -2]], [[16, 32, 32, 8], [0, 1, 2]], [[9, 3], 0],
      [[6, 5, 4, 7], [1, 2]], [[6, 5, 4, 7], [3]], [[6, 5, 4, 7], undefined], [[6, 5, 4, 7], [0, 2]], [[5, 1, 1, 8], [0, 1, 2]],
    ];
    const compute = () => tf.tidy(() => cases.flatMap(([shape, axis], i) => {
      const x = tf.tensor(data(size(shape), 40 + i), shape);
      return [false, true].flatMap((keep) => [tf.sum(x, axis, keep), tf.mean(x, axis, keep)]).map((t) => [t.shape.join(), t.dataSync() as Float32Array] as const);
    }));
    const ref = await onBackend('cpu', compute);
    const got = await onBackend('wasm', compute);
    expect(got.map((g) => g[0])).toEqual(ref.map((r) => r[0]));
    for (let i = 0; i < ref.length; i++) expect(relErr(got[i]![1], ref[i]![1]), `output ${i}`).toBeLessThan(1e-5);
    // the first four take the pool; its cached scalar is no leak
    expect(cases.map(([shape, axis]) => isSpatialReduction(axis, shape))).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(tf.getKernel('Sum', 'wasm')?.kernelFunc.name).toBe('spatialReduceWasm');
    expect(tf.getKernel('Mean', 'wasm')?.kernelFunc.name).toBe('spatialReduceWasm');
    await tf.setBackend('wasm');
    const x = tf.tensor(data(64 * 4 * 4 * 8, 50), [64, 4, 4, 8]);
    tf.sum(x, [0, 1, 2]).dispose();
    const be = tf.backend() as unknown as { dataIdMap: { numDataIds(): number } };
    const ids = be.dataIdMap.numDataIds();
    for (let i = 0; i < 3; i++) tf.sum(x, [0, 1, 2]).dispose();
    expect(be.dataIdMap.numDataIds()).toBe(ids);
    x.dispose();
  });

  it('does not leak tensors or wasm memory', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(data(2 * 8 * 8 * 3, 1), [2, 8, 8, 3]);
    const dy = tf.tensor4d(data(2 * 4 * 4 * 4, 2), [2, 4, 4, 4]);
    backpropFilter(x, dy, [4, 4, 3, 4], 2, 'same').dispose();
    const before = tf.memory();
    for (let i = 0; i < 20; i++) backpropFilter(x, dy, [4, 4, 3, 4], 2, 'same').dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    const be = tf.backend() as unknown as { dataIdMap: { numDataIds(): number } };
    const ids = be.dataIdMap.numDataIds();
    backpropFilter(x, dy, [4, 4, 3, 4], 2, 'same').dispose();
    expect(be.dataIdMap.numDataIds()).toBe(ids);
    const f = tf.tensor4d(data(4 * 4 * 3 * 4, 3), [4, 4, 3, 4]);
    tf.conv2dTranspose(dy, f, [2, 8, 8, 3], 2, 'same').dispose();
    const ids2 = be.dataIdMap.numDataIds();
    for (let i = 0; i < 5; i++) tf.conv2dTranspose(dy, f, [2, 8, 8, 3], 2, 'same').dispose();
    expect(be.dataIdMap.numDataIds()).toBe(ids2);
    f.dispose();
    x.dispose(); dy.dispose();
  });
});
