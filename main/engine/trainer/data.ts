/** Turns loaded training data into seeded mini-batches for the trainer. */
import type { Rng } from './rng';

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
  modes?: [number, number][];
  std?: number;
}

export function dataSource(td: TrainingDataLike): DataSource {
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
  return {
    kind: 'images',
    id: td.id,
    shape: [height, width, channels],
    classes: td.classes,
    hasLabels,
    batch: (n, rng, dequantize = false) => {
      const x = new Float32Array(n * per);
      const lab = hasLabels ? new Int32Array(n) : undefined;
      const idx = Int32Array.from({ length: n }, () => rng.int(count));
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
