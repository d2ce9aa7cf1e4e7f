/**
 * Which real images FID* and KID* compare against, and which ones the feature classifier learns from.
 * Folder imports are sorted by class folder, so "the first N images" is a few classes only: both sets are
 * seeded, class-stratified samples instead (each class in proportion to its share of the dataset), and the
 * classifier's set is drawn from the images left after the reference set — held out — when enough are left.
 * The reference set is identified by a hash of its sorted indices, recorded with every score.
 */
import { createHash } from 'node:crypto';
import { Rng } from '../trainer/rng';

function shuffle(a: number[], rng: Rng): number[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * n indices of [0, count) without `exclude`, stratified by label (largest-remainder quotas), in a seeded
 * random order. Without labels: a plain seeded sample.
 */
export function stratifiedSample(count: number, labels: ArrayLike<number> | undefined, n: number, seed: number, exclude?: Set<number>): number[] {
  const rng = new Rng(seed >>> 0);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    if (exclude?.has(i)) continue;
    const c = labels ? labels[i] : 0;
    const g = groups.get(c);
    if (g) g.push(i);
    else groups.set(c, [i]);
  }
  const classes = [...groups.keys()].sort((a, b) => a - b);
  const avail = classes.reduce((s, c) => s + groups.get(c)!.length, 0);
  const want = Math.min(n, avail);
  const exact = classes.map((c) => (want * groups.get(c)!.length) / avail);
  const quota = exact.map(Math.floor);
  let left = want - quota.reduce((a, b) => a + b, 0);
  const byRemainder = classes.map((_, i) => i).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const i of byRemainder) if (left-- > 0) quota[i]++;
  const picked = classes.flatMap((c, i) => shuffle(groups.get(c)!.slice(), rng).slice(0, quota[i]));
  return shuffle(picked, rng);
}

/** Short content-free identity of an index set (order-independent). */
export function indexHash(idx: number[]): string {
  const sorted = Int32Array.from(idx).sort();
  return createHash('sha256').update(new Uint8Array(sorted.buffer)).digest('hex').slice(0, 16);
}

export interface EvalSplit {
  /** The reference images for FID* and KID*. */
  real: number[];
  /** The feature classifier's training images. */
  train: number[];
  /** True when `train` and `real` are disjoint. */
  heldOut: boolean;
  realHash: string;
}

/**
 * Reference set first (up to maxReal), then the classifier's set (up to maxTrain) from what is left when at
 * least half of maxTrain is left; on smaller datasets the classifier trains on a sample of all images.
 */
export function evalSplit(count: number, labels: ArrayLike<number> | undefined, o: { maxReal: number; maxTrain: number; seed: number }): EvalSplit {
  const real = stratifiedSample(count, labels, o.maxReal, o.seed * 2 + 1);
  const rest = count - real.length;
  const heldOut = rest >= Math.max(1, Math.ceil(o.maxTrain / 2));
  const train = stratifiedSample(count, labels, o.maxTrain, o.seed * 2 + 2, heldOut ? new Set(real) : undefined);
  return { real, train, heldOut, realHash: indexHash(real) };
}

/** The images at `idx` (NHWC uint8), in that order, as a new buffer. */
export function gather(pixels: Uint8Array, per: number, idx: number[]): Uint8Array {
  const out = new Uint8Array(idx.length * per);
  idx.forEach((j, i) => out.set(pixels.subarray(j * per, (j + 1) * per), i * per));
  return out;
}
