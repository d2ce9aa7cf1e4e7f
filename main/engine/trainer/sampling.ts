/**
 * Generator inference for samples, metrics and exports: batch norm on running statistics — the trained weights'
 * own, or for EMA weights the standing statistics of the EMA weights (standing-stats.ts) — so each latent maps to
 * one output whatever the batch.
 */
import * as tf from '@tensorflow/tfjs';
import { logical } from '../models/params';
import type { Generator } from '../models/index';
import type { Ema } from '../optim';
import type { HostTensor } from '../augment/index';

/** Run `f` (a forward of G) in inference mode, on the EMA weights and their statistics when given. */
export function inference(G: Generator, ema: Ema | null, emaStats: Map<string, tf.Tensor> | null, f: () => tf.Tensor): tf.Tensor {
  const p = G.params;
  if (ema) p.override = new Map([...ema.shadow].map(([k, v]) => [logical(k), v as tf.Tensor]));
  p.statsOverride = emaStats;
  p.bnMode = 'eval';
  try {
    return tf.tidy(f);
  } finally {
    p.override = null;
    p.statsOverride = null;
    p.bnMode = 'train';
  }
}

/**
 * G's outputs for n latents (rows of `zs`, with one-hot rows `oh` when conditional), in chunks: 5,000 images of 32×32
 * in one batch would need gigabytes of activations. Inference BN uses fixed statistics, so each sample is the same
 * whatever the chunk.
 */
export async function generateInChunks(n: number, zdim: number, zs: Float32Array, oh: HostTensor | undefined, forward: (z: tf.Tensor, oh?: tf.Tensor) => tf.Tensor): Promise<Float32Array> {
  const chunk = 256;
  let out: Float32Array | null = null;
  for (let first = 0; first < n; first += chunk) {
    const k = Math.min(chunk, n - first);
    const z = tf.tensor(zs.subarray(first * zdim, (first + k) * zdim), [k, zdim]);
    const o = oh ? tf.tensor(oh.data.subarray(first * oh.shape[1], (first + k) * oh.shape[1]), [k, oh.shape[1]]) : undefined;
    const t = forward(z, o);
    const part = (await t.data()) as Float32Array;
    out ??= new Float32Array((part.length / k) * n);
    out.set(part, (part.length / k) * first);
    tf.dispose([t, z, o ?? []]);
  }
  return out ?? new Float32Array(0);
}
