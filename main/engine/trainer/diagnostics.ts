/** Per-layer spectral diagnostics for the discriminator, computed without touching training state. */
import * as tf from '@tensorflow/tfjs';
import type { LayerDiag } from '../../../shared/events';
import type { KernelInfo } from '../models/params';
import { matriciseTransposed } from '../sn/matricise';

/**
 * Largest singular value of Wᵀ ([cols, rows]) by power iteration on WWᵀ from `start` (a rows-vector),
 * written as plain (row-)vector × matrix products. Returns σ and the converged left vector, so the
 * next call can warm-start from it.
 */
export function spectralNorm(wt: tf.Tensor2D, iters: number, start: Float32Array): { sigma: number; u: Float32Array } {
  return tf.tidy(() => {
    const [cols, rows] = wt.shape;
    let u: tf.Tensor = tf.tensor2d(start, [rows, 1]);
    u = tf.div(u, tf.add(tf.norm(u), 1e-12));
    let wv: tf.Tensor = tf.zeros([1, rows]);
    for (let i = 0; i < iters; i++) {
      const v = tf.matMul(wt, u); // Wᵀu: [cols, 1]
      const vn = tf.div(v, tf.add(tf.norm(v), 1e-12));
      wv = tf.matMul(tf.reshape(vn, [1, cols]), wt); // (W v)ᵀ: [1, rows]
      u = tf.reshape(tf.div(wv, tf.add(tf.norm(wv), 1e-12)), [rows, 1]);
    }
    return { sigma: tf.norm(wv).dataSync()[0], u: u.dataSync() as Float32Array };
  });
}

/** Deterministic, non-degenerate start vector for layers seen for the first time. */
function defaultStart(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(1 + i * 1.7));
}

/**
 * σ of each D layer's raw weight and of the weight actually used (W̄ = W/σ̂ for SN layers).
 * Warm-started power iteration: from the layer's SN vector u when it has one, else from this
 * probe's result of the previous call, so 30 iterations track σ closely between log steps.
 */
export class SigmaProbe {
  private readonly starts = new Map<string, Float32Array>();

  constructor(private readonly iters = 30) {}

  /** gradNorm is left 0: the trainer fills it in from the last D update. */
  measure(kernels: KernelInfo[], vars: Map<string, tf.Variable>): LayerDiag[] {
    return kernels.map((k) => {
      const w = vars.get(k.kernel)!;
      const wt = matriciseTransposed(w, k.kind);
      const rows = wt.shape[1];
      const start = k.sn ? (k.sn.u.dataSync() as Float32Array) : (this.starts.get(k.name) ?? defaultStart(rows));
      const { sigma: sigmaRaw, u } = spectralNorm(wt, this.iters, start);
      wt.dispose();
      this.starts.set(k.name, u);
      const sigmaBar = k.sn ? sigmaRaw / k.sn.sigmaEstimate() : sigmaRaw;
      return { name: k.name, sigmaRaw, sigmaBar, gradNorm: 0 };
    });
  }
}
