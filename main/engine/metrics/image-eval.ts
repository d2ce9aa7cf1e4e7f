/**
 * Image metrics during training (every `evalEvery` steps): `samples` fresh generated images scored by
 *  - diversity: mean MS-SSIM between random pairs (ssim.ts; lower = more diverse), for any image dataset;
 *  - with labels: FID and KID in the feature space of the app's own classifier (classifier.ts, cached per
 *    dataset by classifier-store.ts) against up to `maxReal` real images — NOT Inception-FID/KID.
 * The classifier and the real images' features are prepared once, at the first evaluation.
 */
import type { z } from 'zod';
import type { EvalMetrics } from '../../../shared/events';
import { msssimDiversity } from './ssim';
import { fidFromFeatures } from './frechet';
import { kidFromFeatures } from './kid';
import { toUnit, type FeatureClassifier } from './classifier';
import { cachedClassifier, type ClassifierCache, type LabelledImages } from './classifier-store';
import { Rng } from '../trainer/rng';

export type Eval = z.infer<typeof EvalMetrics>;

export interface ImagesLike {
  id: string;
  width: number;
  height: number;
  channels: number;
  count: number;
  pixels: Uint8Array;
  labels?: Uint8Array;
  classes: string[];
}

export interface ImageEvalOptions {
  /** Where the feature classifier is kept between runs (runs/cache.ts on disk). */
  cache: ClassifierCache;
  data: ImagesLike;
  /** n generated images, NHWC in the generator's range [-1, 1]. */
  generate: (n: number) => Promise<Float32Array>;
  samples: number;
  seed: number;
  pairs?: number;
  maxReal?: number;
  /** Reports the classifier once it is ready (trained or loaded from the cache). */
  onClassifier?: (info: { cached: boolean; dir: string; trainAccuracy: number }) => void;
}

/** [-1, 1] → [0, 1], clamped. */
export function toUnitRange(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, (x[i] + 1) / 2));
  return out;
}

export interface ImageEvaluator {
  evaluate(step: number): Promise<Eval>;
  dispose(): void;
}

export function createImageEvaluator(o: ImageEvalOptions): ImageEvaluator {
  const d = o.data;
  const labelled = !!d.labels && d.classes.length >= 2;
  let prep: Promise<{ clf: FeatureClassifier; real: Float32Array; nReal: number } | null> | null = null;
  const prepare = () =>
    (prep ??= (async () => {
      if (!labelled) return null;
      const r = await cachedClassifier(o.cache, d as LabelledImages, { maxTrain: o.maxReal ?? 2000, seed: o.seed });
      o.onClassifier?.({ cached: r.cached, dir: r.dir, trainAccuracy: r.clf.trainAccuracy });
      const nReal = Math.min(d.count, o.maxReal ?? 2000);
      const real = r.clf.features(toUnit(d.pixels.subarray(0, nReal * d.width * d.height * d.channels)), nReal);
      return { clf: r.clf, real, nReal };
    })());
  return {
    async evaluate(step: number): Promise<Eval> {
      const ctx = await prepare();
      const n = o.samples;
      const fake = toUnitRange(await o.generate(n));
      const r = new Rng((o.seed * 1_000_003 + step) >>> 0);
      const rng = () => r.next();
      const out: Eval = {
        samples: n,
        msssim: msssimDiversity({ count: n, width: d.width, height: d.height, channels: d.channels, data: fake }, o.pairs ?? 100, rng),
      };
      if (ctx) {
        const ff = ctx.clf.features(fake, n);
        const dim = ctx.clf.featureDim;
        out.classifierFid = fidFromFeatures(ctx.real, ctx.nReal, ff, n, dim);
        out.classifierKid = kidFromFeatures(ctx.real, ctx.nReal, ff, n, dim, { subsetSize: Math.min(n, 500), subsets: 5, rng }).mean;
      }
      return out;
    },
    dispose() {
      void prep?.then((c) => c?.clf.dispose());
    },
  };
}
