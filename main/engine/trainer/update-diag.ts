/**
 * What Diagnostics report of training: σ of the raw and the normalised weight per D layer, as the last logged D update
 * used them, its gradient norms, and the product bound ∏σ(W̄).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerDiag } from '../../../shared/events';
import type { Params } from '../models/params';
import { SigmaProbe } from './diagnostics';

export class UpdateDiag {
  /** Warm-started between measurements (shared by every path that measures). */
  readonly probe = new SigmaProbe();
  private last: { step: number; layers: LayerDiag[] } | null = null;
  private gradNorms = new Map<string, number>();

  /** σ of the weights the update at `step` used (measured by the update, or now by `measureAt`). */
  record(step: number, layers: LayerDiag[]): void {
    this.last = { step, layers };
  }

  /** Measure D's weights as they are now and record them as those of the update at `step`. */
  measureAt(step: number, p: Params): void {
    this.record(step, this.probe.measure(p.kernels, p.vars));
  }

  /** Gradient norms per D kernel, from the update's gradients (tfjs) ... */
  gradNormsOf(p: Params, grads: Record<string, tf.Tensor>): void {
    this.gradNorms.clear();
    for (const k of p.kernels) {
      const g = grads[p.vars.get(k.kernel)!.name];
      if (g) this.gradNorms.set(k.name, tf.tidy(() => tf.norm(g).dataSync()[0]));
    }
  }

  /** ... or from a compiled update's `gradNorm.<layer>` outputs. */
  gradNormsFrom(p: Params, results: Record<string, Float32Array>): void {
    this.gradNorms.clear();
    for (const k of p.kernels) if (results[`gradNorm.${k.name}`]) this.gradNorms.set(k.name, results[`gradNorm.${k.name}`][0]);
  }

  /**
   * Per-layer σ and gradient norm, and the product bound. After a logged step (`step` = the trainer's step, one past
   * that update) these describe the weights its last D update used; otherwise (e.g. before any training) the current weights.
   */
  report(step: number, p: Params): { layers: LayerDiag[]; lipschitzBound: number } {
    const recorded = this.last && this.last.step === step - 1 ? this.last.layers : null;
    const layers = (recorded ?? this.probe.measure(p.kernels, p.vars)).map((l) => ({ ...l, gradNorm: this.gradNorms.get(l.name) ?? 0 }));
    const lipschitzBound = layers.reduce((a, l) => a * l.sigmaBar, 1);
    return { layers, lipschitzBound };
  }
}
