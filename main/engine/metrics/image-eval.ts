/**
 * Image metrics during training (every `evalEvery` steps): `samples` fresh generated images scored by
 *  - diversity: mean MS-SSIM between random pairs (ssim.ts; lower = more diverse), for any image dataset;
 *  - with labels: FID and KID in the feature space of the app's own classifier (classifier.ts, cached per
 *    dataset by classifier-store.ts) against up to `maxReal` real images — NOT Inception-FID/KID.
 * The real images are a seeded class-stratified sample, held out of the classifier's training images where the
 * dataset is large enough (eval-sample.ts); the eval records how many, which (index hash) and whether held out.
 * KID uses the reference's 100 subsets of 1,000 samples, capped by the sample counts (recorded too).
 * The classifier and the real images' features are prepared once, at the first evaluation.
 */
import type { z } from 'zod';
import type { EvalMetrics } from '../../../shared/events';
import { msssimDiversity } from './ssim';
import { fidFromFeatures } from './frechet';
import { KID_SUBSETS, KID_SUBSET_SIZE, kidFromFeatures } from './kid';
import { toUnit, type FeatureClassifier } from './classifier';
import { evalSplit, gather, type EvalSplit } from './eval-sample';
import { msssimScales } from './ssim';
import { cachedClassifier, type ClassifierCache, type LabelledImages } from './classifier-store';
import { Rng } from '../trainer/rng';

export type Eval = z.infer<typeof EvalMetrics>;

/** The images an evaluation scores against: LabelledImages, where labels may be missing (diversity only). */
export type ImagesLike = Omit<LabelledImages, 'labels'> & { labels?: Uint8Array };

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
  let prep: Promise<{ clf: FeatureClassifier; real: Float32Array; nReal: number; split: EvalSplit } | null> | null = null;
  const prepare = () =>
    (prep ??= (async () => {
      if (!labelled) return null;
      const max = o.maxReal ?? 2000;
      const split = evalSplit(d.count, d.labels, { maxReal: max, maxTrain: max, seed: o.seed });
      const r = await cachedClassifier(o.cache, d as LabelledImages, { indices: split.train, seed: o.seed });
      o.onClassifier?.({ cached: r.cached, dir: r.dir, trainAccuracy: r.clf.trainAccuracy });
      const nReal = split.real.length;
      const real = r.clf.features(toUnit(gather(d.pixels, d.width * d.height * d.channels, split.real)), nReal);
      return { clf: r.clf, real, nReal, split };
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
        msssimScales: msssimScales(d.width, d.height),
      };
      if (ctx) {
        const ff = ctx.clf.features(fake, n);
        const dim = ctx.clf.featureDim;
        out.classifierFid = fidFromFeatures(ctx.real, ctx.nReal, ff, n, dim);
        const kid = kidFromFeatures(ctx.real, ctx.nReal, ff, n, dim, { subsetSize: KID_SUBSET_SIZE, subsets: KID_SUBSETS, rng });
        Object.assign(out, {
          classifierKid: kid.mean,
          classifierKidStd: kid.std,
          kidSubsets: kid.subsets,
          kidSubsetSize: kid.subsetSize,
          realSamples: ctx.nReal,
          realIndexHash: ctx.split.realHash,
          realHeldOut: ctx.split.heldOut,
        });
      }
      return out;
    },
    dispose() {
      void prep?.then((c) => c?.clf.dispose());
    },
  };
}
