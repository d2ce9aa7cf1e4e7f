/** Per-layer spectral diagnostics for the discriminator, computed without touching training state. */
import * as tf from '@tensorflow/tfjs';
import type { LayerDiag } from '../../../shared/events';
import type { KernelInfo } from '../models/params';

/** The kernel as a matrix with the output axis as columns: [fanIn, out]. */
export function kernelMatrix(w: tf.Tensor, kind: KernelInfo['kind']): tf.Tensor2D {
  return tf.tidy(() => {
    if (kind === 'dense') return w.reshape([-1, w.shape[w.rank - 1] as number]) as tf.Tensor2D;
    if (kind === 'conv2d') return w.reshape([-1, w.shape[3] as number]) as tf.Tensor2D;
    // conv2dTranspose kernel [kh, kw, out, in] → [kh, kw, in, out]
    return tf.transpose(w, [0, 1, 3, 2]).reshape([-1, w.shape[2] as number]) as tf.Tensor2D;
  });
}

/** Largest singular value by power iteration from a fixed start (deterministic, no persistent state). */
export function spectralNorm(m: tf.Tensor2D, iters = 30): number {
  return tf.tidy(() => {
    const cols = m.shape[1];
    const start = Float32Array.from({ length: cols }, (_, i) => 1 + 0.5 * Math.sin(1 + i * 1.7));
    let v = tf.tensor2d(start, [cols, 1]);
    let s: tf.Tensor = tf.scalar(0);
    for (let i = 0; i < iters; i++) {
      const u = tf.matMul(m, v);
      s = tf.norm(u);
      const un = tf.div(u, tf.add(s, 1e-12));
      const vv = tf.matMul(m, un, true, false);
      v = tf.div(vv, tf.add(tf.norm(vv), 1e-12));
    }
    return tf.norm(tf.matMul(m, v)).dataSync()[0];
  });
}

export function layerDiagnostics(kernels: KernelInfo[], vars: Map<string, tf.Variable>, gradNorms: Map<string, number>): LayerDiag[] {
  return kernels.map((k) => {
    const w = vars.get(k.kernel)!;
    const m = kernelMatrix(w, k.kind);
    const sigmaRaw = spectralNorm(m);
    m.dispose();
    const sigmaBar = k.sn ? sigmaRaw / k.sn.sigmaEstimate() : sigmaRaw;
    return { name: k.name, sigmaRaw, sigmaBar, gradNorm: gradNorms.get(k.name) ?? 0 };
  });
}
