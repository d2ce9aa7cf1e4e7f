/**
 * The discriminator's decision field over the 2D data plane, as GAN Lab draws it: D's logit on an N×N grid
 * of cell centres spanning the data's bounds, plus a fixed sample of real points to draw over it.
 * Reads only the trainer's public surface (D.apply, data, config); never touches the training RNG.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng';
import type { Trainer } from './trainer';

/** [xMin, xMax, yMin, yMax]. */
export type Bounds = [number, number, number, number];

export interface DecisionField {
  /** Cells per side. */
  n: number;
  bounds: Bounds;
  /** D's logits, row-major, n×n; row 0 is the top (y = yMax), column 0 the left (x = xMin). */
  values: Float32Array;
}

export const FIELD_SIZE = 48;
export const REAL_POINTS = 500;
/** RNG stream for the real points drawn for display (the trainer uses 0–3). */
const REAL_STREAM = 11;

/**
 * A square view around the data: the extent of the real points and the mixture's modes, padded by `pad`
 * (a fraction of the larger side) and centred. Falls back to [-1, 1]² when there is nothing finite to bound.
 */
export function fieldBounds(points: ArrayLike<number>, modes: readonly (readonly [number, number])[] = [], pad = 0.2): Bounds {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  const add = (x: number, y: number) => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  };
  for (let i = 0; i + 1 < points.length; i += 2) add(points[i], points[i + 1]);
  for (const [x, y] of modes) add(x, y);
  if (x0 > x1) return [-1, 1, -1, 1];
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const half = (Math.max(x1 - x0, y1 - y0, 1e-3) / 2) * (1 + 2 * pad);
  return [cx - half, cx + half, cy - half, cy + half];
}

/** Cell centres of an n×n grid over `bounds`, as [x, y] pairs in the field's row-major order (top row first). */
export function gridPoints(bounds: Bounds, n: number): Float32Array {
  const [x0, x1, y0, y1] = bounds;
  const out = new Float32Array(n * n * 2);
  for (let r = 0; r < n; r++) {
    const y = y1 - ((r + 0.5) * (y1 - y0)) / n;
    for (let c = 0; c < n; c++) {
      const o = (r * n + c) * 2;
      out[o] = x0 + ((c + 0.5) * (x1 - x0)) / n;
      out[o + 1] = y;
    }
  }
  return out;
}

/** The same `count` real points at every snapshot (seeded by the run's seed), so the view stays still. */
export function realPoints(tr: Pick<Trainer, 'data' | 'config'>, count = REAL_POINTS): Float32Array {
  if (tr.data.kind !== 'points') throw new Error('real points need 2D point data');
  return tr.data.batch(count, Rng.derive(tr.config.seed, REAL_STREAM)).x;
}

/** D's logits on an n×n grid over `bounds` (for 2D point data; an unconditional or class-0 D). */
export async function decisionField(tr: Pick<Trainer, 'D' | 'data'>, bounds: Bounds, n = FIELD_SIZE): Promise<DecisionField> {
  if (tr.data.shape.length !== 1 || tr.data.shape[0] !== 2) throw new Error(`a decision field needs 2D points (data shape ${JSON.stringify(tr.data.shape)})`);
  const grid = gridPoints(bounds, n);
  const classes = tr.D.classes;
  const out = tf.tidy(() => {
    const x = tf.tensor2d(grid, [n * n, 2]);
    const oh = classes > 0 ? tf.oneHot(tf.zeros([n * n], 'int32') as tf.Tensor1D, classes).toFloat() : undefined;
    return tr.D.apply(x, oh).reshape([n * n]);
  });
  const values = Float32Array.from(await out.data());
  out.dispose();
  return { n, bounds, values };
}
