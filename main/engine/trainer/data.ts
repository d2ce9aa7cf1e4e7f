/**
 * Turns loaded training data into seeded mini-batches for the trainer. Images may lose a held-out slice first
 * (the overfitting gauge): carved once with the run's seed, never drawn by batch().
 */
import { Rng } from './rng';
import { indexHash } from '../metrics/eval-sample';
import { datasetSizeProblem, heldOutCount } from '../../../shared/small-data';

/** Structural twin of datasets/load.ts's TrainingData (the engine does not import the datasets room). */
export type TrainingDataLike =
  | { kind: 'images'; id: string; width: number; height: number; channels: 1 | 3; count: number; pixels: Uint8Array; labels?: Uint8Array; classes: string[] }
  | { kind: 'points'; id: string; sample(n: number, rng: () => number): Float32Array; modes: [number, number][]; std: number; classes: string[] };

export interface Batch {
  x: Float32Array;
  labels?: Int32Array;
}

export interface DataSource {
  kind: 'images' | 'points';
  id: string;
  /** One sample's shape: [2] or [h, w, c]. */
  shape: number[];
  classes: string[];
  hasLabels: boolean;
  /** `dequantize`: images as x/128 − 1 + U[0, 1/128) (sngan_projection's loader) instead of x/127.5 − 1. */
  batch(n: number, rng: Rng, dequantize?: boolean): Batch;
  /** Images drawn by batch() (after the held-out slice); absent for 2D points. */
  count?: number;
  /** The overfitting gauge's slice: how many, which (a hash of the sorted dataset indices), and batches of it. */
  heldOut?: { count: number; hash: string; indices: Int32Array; batch(n: number, rng: Rng): Batch };
  /** Dataset indices batch() draws from (images). */
  trainIndices?: Int32Array;
  modes?: [number, number][];
  std?: number;
}

export class DatasetTooSmallError extends Error {
  readonly code = 'dataset_too_small';
}

/** Seeded split of `count` indices: `held` of them (a seeded permutation's head) out, the rest (sorted) in. */
export function splitIndices(count: number, held: number, seed: number): { train: Int32Array; heldOut: Int32Array } {
  if (held <= 0) return { train: Int32Array.from({ length: count }, (_, i) => i), heldOut: new Int32Array(0) };
  const perm = Int32Array.from({ length: count }, (_, i) => i);
  const r = Rng.derive(seed, 6);
  for (let i = count - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return { heldOut: perm.slice(0, held).sort(), train: perm.slice(held).sort() };
}

export interface SplitOptions {
  /** Share held out (shared/small-data.ts heldOutCount: unset = 5 % where the dataset can spare it; 0 = none). */
  heldOut?: number;
  seed: number;
  /** With the batch, to refuse a dataset too small to train on (DatasetTooSmallError). */
  batch: number;
}

export function dataSource(td: TrainingDataLike, split?: SplitOptions): DataSource {
  if (td.kind === 'points') {
    return {
      kind: 'points',
      id: td.id,
      shape: [2],
      classes: td.classes,
      hasLabels: false,
      modes: td.modes,
      std: td.std,
      batch: (n, rng) => ({ x: td.sample(n, () => rng.next()) }),
    };
  }
  const { width, height, channels, count, pixels, labels } = td;
  if (count <= 0) throw new Error(`dataset ${td.id} is empty`);
  const per = width * height * channels;
  const hasLabels = !!labels && td.classes.length > 1;
  if (split) {
    const why = datasetSizeProblem(count, split);
    if (why) throw new DatasetTooSmallError(`dataset ${td.id}: ${why}`);
  }
  const { train, heldOut } = splitIndices(count, split ? heldOutCount(count, split) : 0, split?.seed ?? 0);
  const plain = (idx: Int32Array): Batch => {
    const x = new Float32Array(idx.length * per);
    for (let i = 0; i < idx.length; i++) for (let j = 0; j < per; j++) x[i * per + j] = pixels[idx[i] * per + j] / 127.5 - 1;
    return { x, ...(hasLabels ? { labels: Int32Array.from(idx, (k) => labels![k]) } : {}) };
  };
  return {
    kind: 'images',
    id: td.id,
    shape: [height, width, channels],
    classes: td.classes,
    hasLabels,
    count: train.length,
    trainIndices: train,
    ...(heldOut.length
      ? { heldOut: { count: heldOut.length, hash: indexHash([...heldOut]), indices: heldOut, batch: (n: number, rng: Rng) => plain(Int32Array.from({ length: n }, () => heldOut[rng.int(heldOut.length)])) } }
      : {}),
    batch: (n, rng, dequantize = false) => {
      const x = new Float32Array(n * per);
      const lab = hasLabels ? new Int32Array(n) : undefined;
      // indices into the training slice: the same draws as before a slice existed, mapped through `train`
      const idx = Int32Array.from({ length: n }, () => train[rng.int(train.length)]);
      // noise drawn after the indices, so a run without it consumes the RNG exactly as before
      const noise = dequantize ? rng.uniform(n * per, 0, 1 / 128) : null;
      for (let i = 0; i < n; i++) {
        const off = idx[i] * per;
        const o = i * per;
        if (noise) for (let j = 0; j < per; j++) x[o + j] = pixels[off + j] / 128 - 1 + noise[o + j];
        else for (let j = 0; j < per; j++) x[o + j] = pixels[off + j] / 127.5 - 1;
        if (lab) lab[i] = labels![idx[i]];
      }
      return { x, labels: lab };
    },
  };
}
