/**
 * Sum and Mean of NHWC tensors over N, H and W on the wasm backend: every bias gradient and batch-norm statistic of
 * a conv net. tfjs 4.22's wasm kernels first transpose the reduced axes innermost, on one thread, then add up
 * (77 ms for [64, 32, 32, 64] here). Here an XNNPACK average pool over each whole image, on the thread pool, leaves
 * [N, C] per-image means (1.7 ms), and the original kernel reduces those N rows: a mean of equal-sized means is the
 * mean, and H·W times it the sum (to float rounding). A matrix product with a row of ones was tried first: XNNPACK
 * packs its right operand as weights on every new tensor, which made it slower than the transpose.
 * Every other reduction goes to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { runWasm, type Args, type Backend, type Info } from './support';

/** True when a reduction of `shape` over `axis` is the NHWC case taken here: 4-D, axes exactly N, H and W. */
export function isSpatialReduction(axis: number | number[] | null | undefined, shape: number[]): boolean {
  if (shape.length !== 4 || shape[1]! * shape[2]! === 1) return false;
  const axes = axis == null ? [] : [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  return axes.join() === '0,1,2';
}

/** Scalars per backend, by value: made once, kept for the backend's life. */
const scalars = new WeakMap<object, Map<number, Info>>();
function scalar(backend: Backend, value: number): Info {
  let byValue = scalars.get(backend);
  if (!byValue) scalars.set(backend, (byValue = new Map()));
  let s = byValue.get(value);
  if (!s) {
    s = backend.makeOutput([], 'float32');
    backend.typedArrayFromHeap(s)[0] = value;
    byValue.set(value, s);
  }
  return s;
}

export function makeSpatialReduceWasm(original: tf.KernelFunc, kind: 'sum' | 'mean') {
  return function spatialReduceWasm(args: Args): Info {
    const backend = args.backend as Backend;
    const x = args.inputs.x as Info;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== 'float32' || !isSpatialReduction(axis, x.shape) || tf.util.sizeFromShape(x.shape) === 0) {
      return original(args as never) as Info;
    }
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const temps: Info[] = [];
    try {
      const pooled = runWasm('AvgPool', { x }, backend, { filterSize: [h, w], strides: 1, pad: 'valid', dimRoundingMode: undefined });
      temps.push(pooled);
      const rows = { dataId: pooled.dataId, shape: [n, c], dtype: pooled.dtype };
      let out = original({ inputs: { x: rows }, backend, attrs: { axis: 0, keepDims: false } } as never) as Info;
      if (kind === 'sum') {
        temps.push(out);
        out = runWasm('Multiply', { a: out, b: scalar(backend, h * w) }, backend, {});
      }
      (out as { shape: number[] }).shape = keepDims ? [1, 1, 1, c] : [c]; // the buffer is the result; only its shape changes (as tfjs's own Sum does)
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}
