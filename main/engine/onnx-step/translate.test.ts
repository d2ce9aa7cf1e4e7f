/**
 * The translation table, one case per kernel (and per convolution geometry the models use): a small tfjs function is
 * traced, compiled to ONNX, run in onnxruntime-node, and its outputs compared with tfjs's own.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { traceUpdate } from './trace';
import { compileTrace } from './graph';
import { CompiledUpdate } from './session';
import { supportedKernels } from './translate';

beforeAll(async () => {
  await initBackend({ force: 'wasm', wasmThreads: 1 });
});

let seed = 1;
function rand(shape: number[], lo = -1, hi = 1): tf.Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const data = Float32Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return lo + ((hi - lo) * seed) / 2 ** 32;
  });
  return tf.tensor(data, shape);
}

/** Trace f on the inputs, run the compiled graph in ORT, return max |ort − tfjs| / max(1, max |tfjs|) per output and the kernels seen. */
async function compare(inputs: Record<string, tf.Tensor>, f: (x: Record<string, tf.Tensor>) => Record<string, tf.Tensor>) {
  const { trace, value } = traceUpdate(inputs, () => f(inputs), (r) => r);
  const graph = compileTrace(trace);
  const u = await CompiledUpdate.create(graph, { threads: 1 });
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, { data: t.dataSync() as Float32Array, shape: t.shape }]));
  const { results } = await u.run(new Map(), feeds);
  await u.release();
  const errs: Record<string, number> = {};
  for (const [k, t] of Object.entries(value)) {
    const want = t.dataSync();
    const got = results[k];
    expect(got.length, k).toBe(want.length);
    let d = 0;
    let m = 1;
    for (let i = 0; i < want.length; i++) {
      d = Math.max(d, Math.abs(got[i] - Number(want[i])));
      m = Math.max(m, Math.abs(Number(want[i])));
    }
    errs[k] = d / m;
  }
  tf.dispose(Object.values(value));
  return { errs, kinds: graph.kernels.kinds };
}

const seen = new Set<string>();
async function check(inputs: Record<string, tf.Tensor>, f: (x: Record<string, tf.Tensor>) => Record<string, tf.Tensor>, tol = 2e-6) {
  const { errs, kinds } = await compare(inputs, f);
  kinds.forEach((k) => seen.add(k));
  for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThanOrEqual(tol);
  tf.dispose(Object.values(inputs));
  return kinds;
}

/** Conv geometries of the models: 3×3/1 same, 4×4/2 same (D), 4×4/1 valid (the 28×28 D's last), odd sizes (crop). */
const CONVS: { name: string; x: number[]; f: number[]; s: number; pad: 'same' | 'valid' | number }[] = [
  { name: 'k3 s1 same', x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { name: 'k4 s2 same', x: [2, 8, 8, 3], f: [4, 4, 3, 5], s: 2, pad: 'same' },
  { name: 'k4 s2 same, odd 7x7', x: [2, 7, 7, 2], f: [4, 4, 2, 3], s: 2, pad: 'same' },
  { name: 'k3 s2 same, odd 7x7', x: [1, 7, 7, 2], f: [3, 3, 2, 3], s: 2, pad: 'same' },
  { name: 'k4 s1 valid', x: [2, 7, 7, 3], f: [4, 4, 3, 2], s: 1, pad: 'valid' },
  { name: 'k4 s2 valid, 9x9 (last row unread)', x: [1, 9, 9, 2], f: [4, 4, 2, 2], s: 2, pad: 'valid' },
  { name: 'k3 s2 pad 1', x: [1, 8, 8, 2], f: [3, 3, 2, 2], s: 2, pad: 1 },
];

describe('kernel → ONNX translation (vs tfjs)', () => {
  it('elementwise, unary and binary, with broadcasting', async () => {
    await check({ a: rand([2, 3, 4]), b: rand([3, 1]), p: rand([2, 3, 4], 0.1, 2) }, ({ a, b, p }) => ({
      add: tf.add(a, b), sub: tf.sub(a, b), mul: tf.mul(a, b), div: tf.div(a, tf.add(tf.abs(b), 0.5)),
      max: tf.maximum(a, b), min: tf.minimum(a, b), pow: tf.pow(p, tf.add(b, 1)), sq: tf.square(a),
      neg: tf.neg(a), abs: tf.abs(a), relu: tf.relu(a), tanh: tf.tanh(a), sig: tf.sigmoid(a), sign: tf.sign(a),
      sqrt: tf.sqrt(p), exp: tf.exp(a), log: tf.log(p), softplus: tf.softplus(tf.mul(a, 30)), leaky: tf.leakyRelu(a, 0.1),
      step: tf.step(a, 0.2), clip: tf.clipByValue(a, -0.3, 0.4), addn: tf.addN([a, tf.mul(a, 2), tf.mul(a, 3)]),
      sel: tf.where(tf.greater(a, b), a, tf.mul(a, 0.5)), cast: tf.cast(tf.greater(a, 0), 'float32'),
      ge: tf.cast(tf.greaterEqual(a, b), 'float32'), lt: tf.cast(tf.less(a, b), 'float32'), le: tf.cast(tf.lessEqual(a, b), 'float32'), eq: tf.cast(tf.equal(tf.sign(a), tf.sign(b)), 'float32'),
      not: tf.cast(tf.logicalNot(tf.greater(a, 0)), 'float32'),
    }));
  });

  it('reshape, transpose, tile, zeros/ones-like, fill', async () => {
    await check({ a: rand([2, 3, 4]) }, ({ a }) => ({
      r: tf.reshape(a, [4, -1]), t: tf.transpose(a, [2, 0, 1]), tile: tf.tile(a, [1, 2, 1]),
      z: tf.add(tf.zerosLike(a), a), fill: tf.add(tf.fill([2, 3, 4], 0.25), a), o: tf.mul(tf.onesLike(a), a), b: tf.broadcastTo(tf.reshape(a, [2, 3, 4, 1]), [2, 3, 4, 3]),
    }));
  });

  it('reductions: all, some axes, keepDims, negative axes', async () => {
    await check({ a: rand([2, 3, 4, 5]) }, ({ a }) => ({
      s: tf.sum(a), m: tf.mean(a), s0: tf.sum(a, 0), m12: tf.mean(a, [1, 2], true), sneg: tf.sum(a, -1), mx: tf.max(a, [0, 3]),
      m3: tf.mean(a, [0, 1, 2]),
    }));
  });

  it('batch matmul with every transpose, 2D and 3D', async () => {
    await check({ a: rand([2, 3, 4]), b: rand([2, 4, 5]), c: rand([5, 4]), d: rand([3, 5]) }, ({ a, b, c, d }) => ({
      ab: tf.matMul(a, b), abT: tf.matMul(a, tf.transpose(b, [0, 2, 1]), false, true), aTb: tf.matMul(tf.transpose(a, [0, 2, 1]), b, true, false),
      cT: tf.matMul(d, c, false, false), cTT: tf.matMul(c, d, true, true),
    }));
  });

  for (const c of CONVS) {
    it(`conv2d forward and both gradients: ${c.name}`, async () => {
      const kinds = await check({ x: rand(c.x), f: rand(c.f) }, ({ x, f }) => {
        const y = (xx: tf.Tensor, ff: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.s, c.pad);
        const out = y(x, f);
        const dy = tf.tanh(out);
        const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.mul(y(xx, ff), dy)));
        const [dx, df] = g([x, f]);
        return { y: out, dx, df };
      }, 5e-6);
      expect(kinds).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']));
    });
  }

  it('conv2dTranspose (the generators) forward and gradients', async () => {
    await check({ x: rand([2, 4, 4, 6]), f: rand([4, 4, 3, 6]) }, ({ x, f }) => {
      const y = (xx: tf.Tensor, ff: tf.Tensor) => tf.conv2dTranspose(xx as tf.Tensor4D, ff as tf.Tensor4D, [2, 8, 8, 3], 2, 'same');
      const [dx, df] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.square(y(xx, ff))))([x, f]);
      return { y: y(x, f), dx, df };
    }, 5e-6);
  });

  it('a double backward (the gradient penalty): gradient of a gradient norm through conv + the |x| form of leaky relu', async () => {
    await check({ x: rand([2, 8, 8, 2]), f: rand([4, 4, 2, 3]) }, ({ x, f }) => {
      const d = (xx: tf.Tensor, ff: tf.Tensor) => {
        const h = tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 2, 'same');
        return tf.sum(tf.add(tf.mul(h, 0.55), tf.mul(tf.abs(h), 0.45))); // the models' twice-differentiable leaky relu
      };
      const gp = (ff: tf.Tensor) => tf.sum(tf.square(tf.grad((xx: tf.Tensor) => d(xx, ff))(x)));
      return { gp: gp(f), dgp: tf.grad(gp)(f) };
    }, 5e-6);
  });

  it('covers every table entry that the cases above exercise, and names the rest', () => {
    const untested = supportedKernels().filter((k) => !seen.has(k));
    // kernels in the table but not produced by any case: must be none, so each translation has a test
    expect(untested).toEqual([]);
  });
});
