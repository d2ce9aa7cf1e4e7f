/**
 * A step's host inputs ("feeds"): what one D or G update draws on the host, by name. The tfjs step makes tensors of
 * them, a compiled step is fed them as they are.
 */
import * as tf from '@tensorflow/tfjs';
import type { AugOp } from '../../../shared/config';
import type { AugArrays, AugTensors, HostTensor } from '../augment/index';
import type { Rng } from './rng';

export type StepFeeds = Record<string, HostTensor>;

export const scalarFeed = (x: number): HostTensor => ({ data: Float32Array.of(x), shape: [] });

export function putFeed(f: StepFeeds, name: string, h: HostTensor | undefined): void {
  if (h) f[name] = h;
}

/** One batch's augmentation parameters as feeds `prefix.<param>` (none when augmentation is off). */
export function putAug(f: StepFeeds, prefix: string, a: AugArrays | null): void {
  for (const [k, h] of Object.entries(a ?? {})) f[`${prefix}.${k}`] = h;
}

/** The augmentation tensors of one batch among a step's feed tensors (null when none were drawn). */
export function augOf(t: Record<string, tf.Tensor>, prefix: string, ops: AugOp[]): AugTensors | null {
  const keys = Object.keys(t).filter((k) => k.startsWith(`${prefix}.`));
  if (keys.length === 0) return null;
  const a: AugTensors = { ops };
  for (const k of keys) Object.assign(a, { [k.slice(prefix.length + 1)]: t[k] });
  return a;
}

/** A step's feeds as tensors (the caller disposes them). */
export function tensorsOf(feeds: StepFeeds): Record<string, tf.Tensor> {
  const t: Record<string, tf.Tensor> = {};
  for (const [k, h] of Object.entries(feeds)) t[k] = tf.tensor(h.data, h.shape);
  return t;
}

/** One-hot rows for K classes (labels given, or drawn uniformly from `rng`); none when unconditional (K = 0). */
export function onehotRows(K: number, labels: Int32Array | undefined, n: number, rng: Rng): HostTensor | undefined {
  if (K === 0) return undefined;
  const lab = labels ?? Int32Array.from({ length: n }, () => rng.int(K));
  const data = new Float32Array(n * K);
  for (let i = 0; i < n; i++) data[i * K + lab[i]] = 1;
  return { data, shape: [n, K] };
}
