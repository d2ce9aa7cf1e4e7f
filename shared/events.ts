/**
 * Messages between a trainer process and its host: commands in, events out.
 * Both sides validate with these schemas. No Node, no DOM.
 */
import { z } from 'zod';

/** `interrupted`: the run folder says running or paused, but no trainer is alive (a crash, a power cut); it resumes from its last checkpoint. */
export const RunState = z.enum(['created', 'running', 'paused', 'finished', 'stopped', 'failed', 'interrupted']);
export type RunState = z.infer<typeof RunState>;

const step = z.number().int().min(0);

export const LayerDiag = z.object({
  name: z.string(),
  /** σ of the raw weight W (power iteration, many steps). */
  sigmaRaw: z.number(),
  /** σ of the weight actually used, W̄ = W/σ̂ for SN layers (≈1), else W. */
  sigmaBar: z.number(),
  /** L2 norm of the gradient of this layer's kernel at the last D update. */
  gradNorm: z.number(),
});
export type LayerDiag = z.infer<typeof LayerDiag>;

export const EvalMetrics = z.object({
  /** 2D: modes with ≥ 20 high-quality samples (the app's rule; shared/toys2d.ts). */
  modesCovered: z.number().optional(),
  /** 2D: modes with ≥ 1 high-quality sample nearest to them (VEEGAN/PacGAN's definition). */
  modesCoveredAny: z.number().optional(),
  modesTotal: z.number().optional(),
  highQualityFraction: z.number().optional(),
  klToUniform: z.number().optional(),
  /** How many generated samples were scored (2D: points; images: images). */
  samples: z.number().int().optional(),
  /** Images with labels: real images the FID/KID compare against (a seeded class-stratified sample). */
  realSamples: z.number().int().optional(),
  /** Which real images: a hash of their sorted dataset indices (metrics/eval-sample.ts), and whether they were held out of the feature classifier's training set. */
  realIndexHash: z.string().optional(),
  realHeldOut: z.boolean().optional(),
  /** KID subsets: how many, of how many samples each (the reference: 100 of 1,000 where the counts allow). */
  kidSubsets: z.number().int().optional(),
  kidSubsetSize: z.number().int().optional(),
  /** KID's standard deviation over the subsets. */
  classifierKidStd: z.number().optional(),
  /** Images: mean MS-SSIM between random pairs of generated samples (lower = more diverse). */
  msssim: z.number().optional(),
  /** Scales MS-SSIM used: 5 (the standard definition) needs ≥ 176 px; smaller images use fewer (metrics/ssim.ts). */
  msssimScales: z.number().int().optional(),
  /**
   * Images with labels: FID / KID in the feature space of the app's own classifier trained on the dataset's
   * labels (engine/metrics/classifier.ts). NOT Inception-FID; comparable only within one dataset.
   */
  classifierFid: z.number().optional(),
  classifierKid: z.number().optional(),
});

/**
 * Exact singular-value spectrum of one layer's matricised kernel (output axis as rows), by SVD on the host.
 * The one schema for trainer, alerts (engine/alerts.ts) and renderer (renderer/src/lib/metrics.ts).
 */
export const LayerSpectrum = z.object({
  name: z.string(),
  rows: z.number().int(),
  cols: z.number().int(),
  /** How many singular values the layer has (min(rows, cols)). */
  count: z.number().int(),
  /** Singular values, descending: all of them, or the largest 256 when count > 256. */
  values: z.array(z.number()),
  sigmaMax: z.number(),
  /** σ_max / σ_min; null when σ_min = 0 (rank-deficient; JSON has no Infinity). */
  condition: z.number().nullable(),
  /** Share of all `count` values below 1 % of σ_max. */
  smallShare: z.number(),
});
export type LayerSpectrum = z.infer<typeof LayerSpectrum>;

export const ALERT_KINDS = ['divergence', 'd_overpowering', 'spectral_collapse', 'mode_collapse', 'overfitting'] as const;
export const AlertFields = z.object({
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(['warning', 'error']),
  step,
  layer: z.string().optional(),
  message: z.string(),
  cause: z.enum(['non_finite', 'sigma_explosion']).optional(),
});

export const TrainerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), step, steps: step, stepsPerSec: z.number(), etaSec: z.number() }),
  z.object({
    type: z.literal('metrics'),
    step,
    dLoss: z.number(),
    gLoss: z.number(),
    dReal: z.number(),
    dFake: z.number(),
    layers: z.array(LayerDiag),
    lipschitzBound: z.number(),
    lr: z.number().optional(),
    /** Images: the augmentation in effect (engine/augment/), and p, the probability each op is applied (1 with DiffAugment). */
    augMode: z.enum(['off', 'diffaugment', 'ada']).optional(),
    augP: z.number().optional(),
    /** ADA's r_t = E[sign(D(x_real))] over its last window of D updates (reals as D saw them, augmented when on). */
    rt: z.number().optional(),
    /** Overfitting gauge: D's mean output (un-augmented) on training images, on held-out images, and the gap. */
    dTrainMean: z.number().optional(),
    dHeldOutMean: z.number().optional(),
    dGap: z.number().optional(),
    /** On a trainer's first metrics event: the held-out slice (how many, how many train, hash of its sorted indices). */
    heldOut: z.object({ count: z.number().int(), train: z.number().int(), hash: z.string() }).optional(),
    eval: EvalMetrics.optional(),
  }),
  z.object({ type: z.literal('sample'), step, path: z.string(), eval: EvalMetrics.optional() }),
  z.object({ type: z.literal('checkpoint'), step, path: z.string() }),
  /** Every `diagEvery` steps, computed off the training thread from the kernels at `step`. */
  z.object({ type: z.literal('spectra'), step, spectra: z.array(LayerSpectrum), ms: z.number().optional() }),
  /** Image metrics every `evalEvery` steps (2D evals ride on 'sample'). */
  z.object({ type: z.literal('eval'), step, eval: EvalMetrics }),
  /** A training alert (engine/alerts.ts) raised by the trainer over its own stream. */
  AlertFields.extend({ type: z.literal('alert') }),
  z.object({ type: z.literal('error'), step: step.optional(), layer: z.string().optional(), message: z.string(), code: z.string() }),
  z.object({
    type: z.literal('status'),
    state: RunState,
    step: step.optional(),
    backend: z.string().optional(),
    runDir: z.string().optional(),
    message: z.string().optional(),
  }),
]);
export type TrainerEvent = z.infer<typeof TrainerEvent>;
export type TrainerEventOf<T extends TrainerEvent['type']> = Extract<TrainerEvent, { type: T }>;

export const TrainerCommand = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    /** Run folder holding config.json (created by the host with the run store). */
    runDir: z.string().min(1),
    workspace: z.string().min(1),
    /** Continue from the newest checkpoint in runDir. */
    resume: z.boolean().default(false),
    /** Override the configured total steps (e.g. to extend a resumed run). */
    steps: z.number().int().positive().optional(),
    /** Start paused (useful for step-once debugging). */
    paused: z.boolean().default(false),
  }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('stepOnce') }),
]);
export type TrainerCommand = z.infer<typeof TrainerCommand>;
export type TrainerCommandInput = z.input<typeof TrainerCommand>;
