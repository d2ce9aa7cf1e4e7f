/**
 * The overfitting gauge (Karras et al. 2020, Fig. 1b): D's mean output on training images vs on images it never
 * trained on. When D memorises the training set the two drift apart; the gap is the warning. Measured un-augmented,
 * in inference (no u refresh), on up to GAUGE_BATCH images from each side.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';
import type { Trainer } from './trainer';

export const GAUGE_BATCH = 128;

export interface Gauge {
  dTrain: number;
  dHeldOut: number;
  /** dTrain − dHeldOut. */
  gap: number;
  /** Images scored on each side. */
  n: number;
}

export function measureGauge(tr: Pick<Trainer, 'data' | 'D' | 'spec'>, r: Rng): Gauge | null {
  const held = tr.data.heldOut;
  if (!held) return null;
  const n = Math.min(held.count, GAUGE_BATCH);
  const a = tr.data.batch(n, r);
  const b = held.batch(n, r);
  const K = tr.spec.classes;
  const [dTrain, dHeldOut] = tf.tidy(() => {
    const score = (x: Float32Array, labels?: Int32Array) => {
      const oh = K > 0 && labels ? tf.oneHot(tf.tensor1d(labels, 'int32'), K).toFloat() : undefined;
      return tf.mean(tr.D.apply(tf.tensor(x, [n, ...tr.data.shape]), oh));
    };
    return Array.from(tf.stack([score(a.x, a.labels), score(b.x, b.labels)]).dataSync());
  });
  return { dTrain, dHeldOut, gap: dTrain - dHeldOut, n };
}
