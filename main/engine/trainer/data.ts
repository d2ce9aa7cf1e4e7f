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
  batch(n: number, rng: Rng): Batch;
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
    batch: (n, rng) => {
      const x = new Float32Array(n * per);
      const lab = hasLabels ? new Int32Array(n) : undefined;
      for (let i = 0; i < n; i++) {
        const idx = rng.int(count);
        const off = idx * per;
        const o = i * per;
        for (let j = 0; j < per; j++) x[o + j] = pixels[off + j] / 127.5 - 1;
        if (lab) lab[i] = labels![idx];
      }
      return { x, labels: lab };
    },
  };
}
