/**
 * BatchMatMul for the wasm backend with transposed operands made physical first.
 * tfjs 4.22's wasm kernel is fast (XNNPACK) only for A·B: measured here on a 16384×1024 by
 * 16384×128 product, Aᵀ·B ran at 0.3 GFLOP/s and A·Bᵀ at 1.3, against 17.5 for A·B. Every
 * dense-layer weight gradient (xᵀ·dy) and SN's Wᵀu take the slow path, so a transpose (cheap,
 * memory-bound) followed by A·B wins by far.
 */
import * as tf from '@tensorflow/tfjs';
import { runWasm, type Args, type Backend, type Info } from './support';

/**
 * A transpose costs about as much as a pass over its operand; the slow path costs that pass
 * times the other operand's free dimension. Below this free dimension (matrix-vector products,
 * e.g. SN power iterations) the transpose does not pay for itself.
 */
const MIN_OTHER_DIM = 16;

function swapLast(t: Info, backend: Backend): Info {
  const r = t.shape.length;
  const perm = t.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return runWasm('Transpose', { x: t }, backend, { perm });
}

export function makeBatchMatMulWasm(original: tf.KernelFunc) {
  return function batchMatMulWasm(args: Args): Info {
    const { inputs, attrs } = args;
    const backend = args.backend as Backend;
    const a = inputs.a as Info, b = inputs.b as Info;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const m = a.shape[a.shape.length - (transposeA ? 1 : 2)];
    const n = b.shape[b.shape.length - (transposeB ? 2 : 1)];
    const flipA = transposeA && n >= MIN_OTHER_DIM, flipB = transposeB && m >= MIN_OTHER_DIM;
    if ((!flipA && !flipB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original(args as never) as Info;
    }
    const temps: Info[] = [];
    try {
      const a2 = flipA ? (temps.push(swapLast(a, backend)), temps[temps.length - 1]) : a;
      const b2 = flipB ? (temps.push(swapLast(b, backend)), temps[temps.length - 1]) : b;
      return original({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: transposeA && !flipA, transposeB: transposeB && !flipB } } as never) as Info;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}
