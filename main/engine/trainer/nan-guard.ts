/**
 * The NaN guard's pieces: the error a non-finite update raises (before it is applied), the one scalar whose
 * finiteness each update checks, and naming the first layer that holds NaN/Inf.
 */
import * as tf from '@tensorflow/tfjs';
import { logical } from '../models/params';

export class NonFiniteError extends Error {
  readonly code = 'non_finite';
  constructor(
    readonly step: number,
    readonly layer: string,
    what: string,
  ) {
    super(`non-finite ${what} at step ${step} (layer ${layer})`);
    this.name = 'NonFiniteError';
  }
}

/** Σ|g| over every gradient: one scalar whose finiteness is the NaN guard's test. */
export function absSum(grads: Record<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.abs(g)))) as tf.Scalar);
}

const hasNonFinite = (t: tf.Tensor) => tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(t))).dataSync()[0] === 1);

/** The first of `vars` whose weights hold NaN/Inf, as a layer name; null when all are finite. */
export function firstNonFiniteLayer(vars: tf.Variable[]): string | null {
  for (const v of vars) if (hasNonFinite(v)) return layerOf(v.name);
  return null;
}

/** Name the first layer whose weights (then gradients) hold NaN/Inf. */
export function nonFiniteLayer(vars: tf.Variable[], grads: Record<string, tf.Tensor>): string {
  const weights = firstNonFiniteLayer(vars);
  if (weights) return weights;
  for (const v of vars) if (grads[v.name] && hasNonFinite(grads[v.name])) return layerOf(v.name);
  return 'unknown';
}

export function layerOf(varName: string): string {
  return logical(varName).replace(/\/(kernel|bias|gamma|beta)$/, '');
}
