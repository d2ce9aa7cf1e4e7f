/**
 * Stabiliser comparison: the same data, seed, architecture and step budget trained once per variant
 * (D normalisation × Adam preset × SN power iterations), one after another, each as a normal run in the
 * workspace; then each run's metrics.jsonl is summarised (engine/metrics/summary.ts).
 */
import type { TrainConfig } from '../../shared/config';
import type { TrainerEvent } from '../../shared/events';
import sharp from 'sharp';
import { createRun, listSamples, readMetrics, samplePath, updateStatus } from '../runs/store';
import { loadTrainingData, type TrainingData } from '../datasets/load';
import { gridTiles, imageQuality, type ImageQuality } from '../engine/metrics/images';
import { toUnit, type FeatureClassifier } from '../engine/metrics/classifier';
import { cachedClassifier } from '../engine/metrics/classifier-store';
import { evalSplit, gather } from '../engine/metrics/eval-sample';
import { folderCache } from '../runs/cache';
import { Rng } from '../engine/trainer/rng';
import { initBackend, backendInfo, type BackendName } from '../engine/backend';
import { TrainerHost } from './trainer-host';
import { summarizeRun, DEFAULT_THRESHOLD, type QualityThreshold, type RunSummary } from '../engine/metrics/summary';
import type { StreamEvent } from '../engine/alerts';
import { lastImageEval, lastSpectra, variantConfigs, type CompareVariant, type SpectraSummary } from './compare-variants';

export { buildVariants, lastImageEval, lastSpectra, variantConfigs, type CompareVariant, type SpectraSummary, type VariantAxes } from './compare-variants';

export interface VariantResult {
  label: string;
  runDir: string;
  state: string;
  wallSec: number;
  config: TrainConfig;
  summary: RunSummary;
  /**
   * Image datasets: the run's last in-training eval (`evalEvery`; `evalSamples` fresh samples) when it has
   * one, else the final fixed-latent sample grid.
   */
  image?: ImageQuality & { source: 'eval' | 'grid'; step?: number };
  /** The last exact spectra (`diagEvery`): largest condition number and small-value share over D's layers. */
  spectra?: SpectraSummary;
}

type ImageData = Extract<TrainingData, { kind: 'images' }>;
export interface ClassifierContext {
  clf: FeatureClassifier;
  real: Float32Array;
  nReal: number;
}

/**
 * The (non-Inception) feature classifier for this dataset, on up to `maxReal` labelled images: trained once and
 * cached in the workspace (engine/metrics/classifier-store.ts, on disk by runs/cache.ts), the same one runs with `evalEvery` use.
 */
export async function classifierFor(data: ImageData, workspace: string, maxReal = 2000, epochs = 3, seed = 0): Promise<ClassifierContext | undefined> {
  if (!data.labels || data.classes.length < 2) return undefined;
  // the same seeded class-stratified split the in-training eval uses (engine/metrics/eval-sample.ts)
  const split = evalSplit(data.count, data.labels, { maxReal, maxTrain: maxReal, seed });
  const { clf } = await cachedClassifier(folderCache(workspace), { ...data, labels: data.labels }, { indices: split.train, epochs, seed });
  return { clf, real: toUnit(gather(data.pixels, data.width * data.height * data.channels, split.real)), nReal: split.real.length };
}

/** Score a sample-grid PNG (runs/render.ts layout) of `data`-shaped images. */
export async function scoreSampleGrid(png: string | Uint8Array, data: Pick<ImageData, 'width' | 'height' | 'channels'>, seed: number, ctx?: ClassifierContext): Promise<ImageQuality> {
  const { data: raw, info } = await sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const fake = gridTiles(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), info.width, info.height, data.width, data.height, data.channels);
  const rng = new Rng(seed);
  return imageQuality(fake, () => rng.next(), ctx);
}

export interface CompareOptions {
  workspace: string;
  /** Plain config object (before parseConfig); every variant starts from it. */
  base: Record<string, unknown>;
  variants: CompareVariant[];
  threshold?: QualityThreshold;
  onEvent?: (label: string, e: TrainerEvent) => void;
  onVariantStart?: (v: CompareVariant, index: number, runDir: string) => void;
  /** Host factory (tests may inject one); defaults to a forked trainer process. */
  host?: (runDir: string, workspace: string, onEvent: (e: TrainerEvent) => void) => Pick<TrainerHost, 'start' | 'wait' | 'stop'>;
  /** Image datasets: score each run's final sample grid (MS-SSIM diversity, classifier FID/KID). Default true. */
  imageMetrics?: boolean;
  /** Set to true to stop the queue after the current variant. */
  cancelled?: () => boolean;
}

export async function runComparison(o: CompareOptions): Promise<VariantResult[]> {
  const configs = variantConfigs(o.base, o.variants);
  const results: VariantResult[] = [];
  let images: ImageData | null = null;
  let ctx: ClassifierContext | undefined;
  if (o.imageMetrics !== false && configs.length) {
    const data = await loadTrainingData(configs[0].dataset, o.workspace);
    if (data.kind === 'images') {
      images = data;
      const b = configs[0].backend;
      if (!backendInfo()) await initBackend(b === 'auto' ? {} : { force: b as BackendName });
      // grids are scored only for runs without in-training evals; train the classifier only if one needs it
      if (configs.some((c) => !c.evalEvery)) ctx = await classifierFor(data, o.workspace, 2000, 3, configs[0].seed);
    }
  }
  for (let i = 0; i < o.variants.length; i++) {
    if (o.cancelled?.()) break;
    const v = o.variants[i];
    const config = configs[i];
    const run = await createRun(o.workspace, config);
    o.onVariantStart?.(v, i, run.dir);
    let nanMsg: string | null = null;
    const onEvent = (e: TrainerEvent) => {
      o.onEvent?.(v.label, e);
      // Headless: a NaN pauses the run with nobody to resume it; record it as a divergence and move on.
      if (e.type === 'error' && e.code === 'non_finite') {
        nanMsg = e.message;
        host.stop();
      }
    };
    const host = o.host
      ? o.host(run.dir, o.workspace, onEvent)
      : new TrainerHost({ runDir: run.dir, workspace: o.workspace, steps: config.steps, onEvent });
    const t0 = performance.now();
    await host.start();
    const state = await host.wait();
    const wallSec = (performance.now() - t0) / 1000;
    if (nanMsg) await updateStatus(run.dir, { error: nanMsg }).catch(() => {});
    const events = (await readMetrics(run.dir)) as unknown as StreamEvent[];
    const r: VariantResult = { label: v.label, runDir: run.dir, state, wallSec, config, summary: summarizeRun(events, o.threshold ?? DEFAULT_THRESHOLD) };
    const sp = lastSpectra(events);
    if (sp) r.spectra = sp;
    if (images) {
      r.image = lastImageEval(events);
      const steps = r.image ? [] : await listSamples(run.dir);
      if (steps.length) {
        const q = await scoreSampleGrid(samplePath(run.dir, steps[steps.length - 1]), images, config.seed, ctx).catch(() => undefined);
        if (q) r.image = { ...q, source: 'grid' };
      }
    }
    results.push(r);
  }
  ctx?.clf.dispose();
  return results;
}
