/**
 * Kernel → matrix with the OUTPUT axis as rows (the convention of Miyato et al. and PyTorch):
 *   dense            [in, out]          → [out, in]
 *   conv2d           [kh, kw, in, out]  → [out, kh·kw·in]
 *   conv2dTranspose  [kh, kw, out, in]  → [out, kh·kw·in]   (PyTorch dim=1 for ConvTranspose)
 * Columns keep the kernel's own order of the remaining axes; σ does not depend on it.
 */
import * as tf from '@tensorflow/tfjs';

export type SNKind = 'dense' | 'conv2d' | 'conv2dTranspose';

/** Which axis of the tfjs kernel is the layer's output. */
export function outputAxis(kind: SNKind): number {
  switch (kind) {
    case 'dense': return 1;
    case 'conv2d': return 3;
    case 'conv2dTranspose': return 2;
  }
}

export function expectedRank(kind: SNKind): number {
  return kind === 'dense' ? 2 : 4;
}

/** [rows, cols] of the matricised kernel. */
export function matrixShape(shape: readonly number[], kind: SNKind): [number, number] {
  if (shape.length !== expectedRank(kind)) {
    throw new Error(`SN ${kind}: kernel must have rank ${expectedRank(kind)}, got shape [${shape}]`);
  }
  const rows = shape[outputAxis(kind)];
  return [rows, shape.reduce((a, b) => a * b, 1) / rows];
}

export function matricise(kernel: tf.Tensor, kind: SNKind): tf.Tensor2D {
  const [rows, cols] = matrixShape(kernel.shape, kind);
  return tf.tidy(() => {
    const axis = outputAxis(kind);
    const perm = [axis, ...kernel.shape.map((_, i) => i).filter((i) => i !== axis)];
    return tf.reshape(tf.transpose(kernel, perm), [rows, cols]) as tf.Tensor2D;
  });
}

/**
 * The transposed matrix Wᵀ: [cols, rows]. For dense and conv2d kernels the output axis is already
 * last, so this is a free reshape — the power iteration and σ then need no transpose copies
 * (v = Wᵀu is Wᵀ·u, u = Wv is vᵀ·Wᵀ, σ = vᵀWᵀu).
 */
export function matriciseTransposed(kernel: tf.Tensor, kind: SNKind): tf.Tensor2D {
  const [rows, cols] = matrixShape(kernel.shape, kind);
  if (kind !== 'conv2dTranspose') return tf.reshape(kernel, [cols, rows]);
  // [kh, kw, out, in] → [kh, kw, in, out]
  return tf.tidy(() => tf.reshape(tf.transpose(kernel, [0, 1, 3, 2]), [cols, rows]) as tf.Tensor2D);
}
