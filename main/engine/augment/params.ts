/**
 * Augmentation parameters, drawn on the host from the trainer's seeded Rng (never tf.random), one independent set
 * per sample, so a run and its resume augment identically. With probability p < 1 (ADA) an op a sample skips gets
 * identity parameters; every sample consumes the same count of random numbers whatever p is, so the stream's
 * position never depends on p. Ranges are DiffAugment's (Zhao et al. 2020, DiffAugment_pytorch.py).
 */
import type { AugOp } from '../../../shared/config';
import type { Rng } from '../trainer/rng';

export interface AugParams {
  n: number;
  h: number;
  w: number;
  ops: AugOp[];
  /** rand_brightness: added, U[-0.5, 0.5); identity 0. */
  brightness: Float32Array;
  /** rand_saturation: factor on the deviation from the channel mean, U[0, 2); identity 1. */
  saturation: Float32Array;
  /** rand_contrast: factor on the deviation from the image mean, U[0.5, 1.5); identity 1. */
  contrast: Float32Array;
  /** rand_translation: out[i, j] = x[i + ty, j + tx], zero outside; |t| ≤ round(size / 8). */
  tx: Int32Array;
  ty: Int32Array;
  /** rand_cutout: first and last row / column (inclusive) of the zeroed square; -1 = no cutout. */
  cut: Int32Array;
}

/** DiffAugment's ratios: translation by up to 1/8 of the size, cutout of half of it (int(x + 0.5) as there). */
export const shiftOf = (size: number) => Math.floor(size * 0.125 + 0.5);
export const cutoutOf = (size: number) => Math.floor(size * 0.5 + 0.5);

export function drawAugParams(rng: Rng, n: number, h: number, w: number, ops: AugOp[], p = 1): AugParams {
  const a: AugParams = {
    n, h, w, ops,
    brightness: new Float32Array(n),
    saturation: new Float32Array(n).fill(1),
    contrast: new Float32Array(n).fill(1),
    tx: new Int32Array(n),
    ty: new Int32Array(n),
    cut: new Int32Array(4 * n).fill(-1),
  };
  const sx = shiftOf(w);
  const sy = shiftOf(h);
  const ch = cutoutOf(h);
  const cw = cutoutOf(w);
  for (let i = 0; i < n; i++) {
    // one flag per op then its parameters, in the fixed order the ops apply
    for (const op of ops) {
      const on = rng.next() < p;
      if (op === 'color') {
        const [b, s, c] = [rng.next(), rng.next(), rng.next()];
        if (on) {
          a.brightness[i] = b - 0.5;
          a.saturation[i] = s * 2;
          a.contrast[i] = c + 0.5;
        }
      } else if (op === 'translation') {
        const [x, y] = [rng.int(2 * sx + 1) - sx, rng.int(2 * sy + 1) - sy];
        if (on) {
          a.tx[i] = x;
          a.ty[i] = y;
        }
      } else {
        // offset in [0, size + (1 − cut % 2)), square centred there and clipped to the image (rand_cutout)
        const oy = rng.int(h + (1 - (ch % 2)));
        const ox = rng.int(w + (1 - (cw % 2)));
        if (on) {
          const y0 = oy - Math.floor(ch / 2);
          const x0 = ox - Math.floor(cw / 2);
          a.cut.set([Math.max(0, y0), Math.min(h - 1, y0 + ch - 1), Math.max(0, x0), Math.min(w - 1, x0 + cw - 1)], 4 * i);
        }
      }
    }
  }
  return a;
}
