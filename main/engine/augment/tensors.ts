/**
 * Host parameters → the small constant tensors the augmentation ops consume: per-sample scalars, one-hot shift
 * matrices for translation (a batched matmul, whose gradient is a matmul too: no gather/scatter kernels needed),
 * and the cutout mask. None of them needs a gradient; they are inputs, like the latents.
 */
import * as tf from '@tensorflow/tfjs';
import type { AugParams } from './params';

export interface AugTensors {
  ops: AugParams['ops'];
  brightness?: tf.Tensor4D;
  saturation?: tf.Tensor4D;
  contrast?: tf.Tensor4D;
  /** [n, h, h]: rowShift[b, i, k] = 1 where k = i + ty[b] lies in the image. */
  rowShift?: tf.Tensor3D;
  /** [n, w, w]: colShift[b, j, k] = 1 where k = j + tx[b] lies in the image. */
  colShift?: tf.Tensor3D;
  /** [n, h, w, 1]: 0 inside the cutout square, 1 elsewhere. */
  mask?: tf.Tensor4D;
}

/** A host array and its shape: what a compiled step is fed. */
export interface HostTensor {
  data: Float32Array;
  shape: number[];
}

/** The AugTensors fields, as host arrays (the same values augTensors makes tensors of). */
export type AugArrays = Partial<Record<Exclude<keyof AugTensors, 'ops'>, HostTensor>>;

function shiftMatrix(n: number, size: number, t: Int32Array): HostTensor {
  const m = new Float32Array(n * size * size);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < size; i++) {
      const k = i + t[b];
      if (k >= 0 && k < size) m[b * size * size + i * size + k] = 1;
    }
  }
  return { data: m, shape: [n, size, size] };
}

function cutoutMask(a: AugParams): HostTensor {
  const { n, h, w } = a;
  const m = new Float32Array(n * h * w).fill(1);
  for (let b = 0; b < n; b++) {
    const [y0, y1, x0, x1] = a.cut.subarray(4 * b, 4 * b + 4);
    if (y0 < 0) continue;
    for (let y = y0; y <= y1; y++) m.fill(0, b * h * w + y * w + x0, b * h * w + y * w + x1 + 1);
  }
  return { data: m, shape: [n, h, w, 1] };
}

export function augArrays(a: AugParams): AugArrays {
  const s = (v: Float32Array): HostTensor => ({ data: v, shape: [a.n, 1, 1, 1] });
  const t: AugArrays = {};
  if (a.ops.includes('color')) Object.assign(t, { brightness: s(a.brightness), saturation: s(a.saturation), contrast: s(a.contrast) });
  if (a.ops.includes('translation')) Object.assign(t, { rowShift: shiftMatrix(a.n, a.h, a.ty), colShift: shiftMatrix(a.n, a.w, a.tx) });
  if (a.ops.includes('cutout')) t.mask = cutoutMask(a);
  return t;
}

/** Tensors of augArrays' values (`tensor` may register them as a compiled step's feeds). */
export function augTensorsOf(ops: AugParams['ops'], arrays: AugArrays, tensor = (h: HostTensor) => tf.tensor(h.data, h.shape)): AugTensors {
  const t: AugTensors = { ops };
  for (const [k, h] of Object.entries(arrays)) Object.assign(t, { [k]: tensor(h) });
  return t;
}

export function augTensors(a: AugParams): AugTensors {
  return augTensorsOf(a.ops, augArrays(a));
}

export function disposeAugTensors(t: AugTensors): void {
  tf.dispose([t.brightness, t.saturation, t.contrast, t.rowShift, t.colShift, t.mask].filter((x) => x !== undefined) as tf.Tensor[]);
}
