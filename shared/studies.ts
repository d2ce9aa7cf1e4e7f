/**
 * Studies: one action that trains the same data / seed / architecture / step budget once per variant
 * (stabilisers, SN power iterations, the SN paper's Adam presets A–F, or augmentation none / DiffAugment / ADA),
 * one after another, then summarises
 * each run. The request, the persisted record and the progress event; no Node, no DOM.
 */
import { z } from 'zod';
import { D_NORMS, PRESETS } from './config';

export const STUDY_KINDS = ['stabilisers', 'sn-iters', 'presets', 'augmentation'] as const;
/** An augmentation study's axis: aug.mode per variant ('off' is "none"). */
export const STUDY_AUG_MODES = ['off', 'diffaugment', 'ada'] as const;
export const AUG_MODE_LABELS: Record<(typeof STUDY_AUG_MODES)[number], string> = { off: 'none', diffaugment: 'DiffAugment', ada: 'ADA' };
export type StudyKind = (typeof STUDY_KINDS)[number];
export const PRESET_NAMES = Object.keys(PRESETS) as (keyof typeof PRESETS)[];
/** A study trains its variants one after another: keep the queue to a size a person waits for. */
export const MAX_STUDY_VARIANTS = 24;
export const MAX_STUDY_STEPS = 1_000_000;

/** What each study kind varies when the request leaves an axis out. */
export const STUDY_DEFAULTS = {
  stabilisers: { norms: ['sn', 'gp', 'bn', 'none'] },
  'sn-iters': { norms: ['sn'], snIters: [1, 5, 10] },
  presets: { norms: ['sn', 'gp', 'none'], presets: [...PRESET_NAMES] },
  augmentation: { norms: ['sn'], augModes: [...STUDY_AUG_MODES] },
} as const;

export const StudyId = z.string().min(1).max(200).regex(/^[A-Za-z0-9._:-]+$/, 'ids use letters, digits, . _ : -');

const unique = <T extends z.ZodType>(item: T, what: string, max: number) =>
  z
    .array(item)
    .min(1, `pick at least one ${what}`)
    .max(max)
    .refine((a) => new Set(a).size === a.length, `${what}s must not repeat`);

const StudyStartBase = z
  .object({
    dataset: z.string().min(1).max(4096),
    kind: z.enum(STUDY_KINDS),
    norms: unique(z.enum(D_NORMS), 'norm', D_NORMS.length).optional(),
    snIters: unique(z.number().int().min(1).max(10), 'power-iteration count', 10).optional(),
    presets: unique(z.enum(['A', 'B', 'C', 'D', 'E', 'F']), 'preset', 6).optional(),
    augModes: unique(z.enum(STUDY_AUG_MODES), 'augmentation', STUDY_AUG_MODES.length).optional(),
    /** The step budget every variant gets. */
    steps: z.number().int().min(1).max(MAX_STUDY_STEPS),
    /** Base training config (shared/config.ts keys) every variant starts from. */
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type StudyStartInput = z.infer<typeof StudyStartBase>;

export interface StudyAxes {
  norms: string[];
  snIters?: number[];
  presets?: string[];
  augModes?: string[];
}

/** The axes a request varies, defaults filled in for its kind. */
export function studyAxes(r: Pick<StudyStartInput, 'kind' | 'norms' | 'snIters' | 'presets' | 'augModes'>): StudyAxes {
  if (r.kind === 'augmentation') return { norms: [...(r.norms ?? STUDY_DEFAULTS.augmentation.norms)], augModes: [...(r.augModes ?? STUDY_DEFAULTS.augmentation.augModes)] };
  if (r.kind === 'stabilisers') return { norms: [...(r.norms ?? STUDY_DEFAULTS.stabilisers.norms)] };
  if (r.kind === 'sn-iters') return { norms: [...(r.norms ?? STUDY_DEFAULTS['sn-iters'].norms)], snIters: [...(r.snIters ?? STUDY_DEFAULTS['sn-iters'].snIters)] };
  return { norms: [...(r.norms ?? STUDY_DEFAULTS.presets.norms)], presets: [...(r.presets ?? STUDY_DEFAULTS.presets.presets)] };
}

/** How many runs the axes make (presets × norms, with the iteration sweep only for norms that use SN). */
export function countVariants(a: StudyAxes): number {
  const perPreset = a.norms.reduce((n, norm) => n + (a.snIters && norm.startsWith('sn') ? a.snIters.length : 1), 0);
  return perPreset * (a.presets?.length ?? 1) * (a.augModes?.length ?? 1);
}

/** Optimiser keys that override a preset (shared/config.ts resolveOptim): a presets study must leave them unset. */
export const PRESET_OVERRIDES = ['lr', 'beta1', 'beta2', 'ndis'] as const;

/**
 * A run's config as the base of a study of `kind`: without what the study sets itself (dataset, steps) and,
 * for a presets study, without explicit optimiser settings that would override every preset.
 */
export function studyBase(config: Record<string, unknown>, kind: StudyKind): Record<string, unknown> {
  const drop = new Set<string>(['dataset', 'steps', ...(kind === 'presets' ? PRESET_OVERRIDES : [])]);
  return Object.fromEntries(Object.entries(config).filter(([k, v]) => !drop.has(k) && v !== undefined));
}

export const StudyStartRequest = StudyStartBase.superRefine((r, ctx) => {
  if (r.kind === 'stabilisers' && (r.snIters || r.presets)) ctx.addIssue({ code: 'custom', message: "a 'stabilisers' study varies norms only (no snIters or presets)" });
  if (r.kind === 'sn-iters' && r.presets) ctx.addIssue({ code: 'custom', message: "an 'sn-iters' study varies sn.iters (and norms), not presets" });
  if (r.kind === 'presets' && r.snIters) ctx.addIssue({ code: 'custom', message: "a 'presets' study varies presets and norms, not snIters" });
  if (r.kind !== 'augmentation' && r.augModes) ctx.addIssue({ code: 'custom', message: "only an 'augmentation' study varies augModes" });
  if (r.kind === 'augmentation' && (r.snIters || r.presets)) ctx.addIssue({ code: 'custom', message: "an 'augmentation' study varies aug.mode (and norms), not snIters or presets" });
  const overrides = PRESET_OVERRIDES.filter((k) => r.config?.[k] !== undefined);
  if (r.kind === 'presets' && overrides.length) ctx.addIssue({ code: 'custom', message: `a 'presets' study's base config must not set ${overrides.join(', ')}: they would override every preset` });
  const axes = studyAxes(r);
  if (r.kind === 'sn-iters' && !axes.norms.some((n) => n.startsWith('sn'))) ctx.addIssue({ code: 'custom', message: 'a power-iteration sweep needs a norm that uses SN (sn or sn+gp)' });
  const n = countVariants(axes);
  if (n > MAX_STUDY_VARIANTS) ctx.addIssue({ code: 'custom', message: `this study would train ${n} runs; at most ${MAX_STUDY_VARIANTS}` });
});

export const STUDY_STATES = ['queued', 'running', 'finished', 'cancelled', 'failed', 'interrupted'] as const;
export const VARIANT_STATES = ['pending', 'running', 'finished', 'stopped', 'failed', 'skipped', 'interrupted'] as const;

const Num = z.number().finite().nullable();

/** One variant's numbers (engine/metrics/summary.ts), non-finite values as null. */
export const VariantSummary = z.object({
  lastStep: z.number().int(),
  finalDLoss: Num,
  finalGLoss: Num,
  modesCovered: Num,
  /** VEEGAN/PacGAN's coverage (≥ 1 high-quality sample); absent in studies recorded before it existed. */
  modesCoveredAny: Num.optional(),
  modesTotal: Num,
  highQualityFraction: Num,
  klToUniform: Num,
  bestModesCovered: Num,
  stepsToQuality: Num,
  nonFinite: z.number().int(),
  sigmaExplosions: z.number().int(),
  alerts: z.record(z.string(), z.number().int()),
  maxLipschitzBound: Num,
});
export type VariantSummary = z.infer<typeof VariantSummary>;

export const StudyRow = z.object({
  label: z.string(),
  /** `key=value` assignments on top of the base config. */
  sets: z.array(z.string()),
  state: z.enum(VARIANT_STATES),
  runId: StudyId.optional(),
  /** The run paused on a non-finite value (NaN guard): counted as a divergence, stopped, and the study moved on. */
  diverged: z.boolean().optional(),
  error: z.string().optional(),
  wallSec: z.number().finite().optional(),
  summary: VariantSummary.optional(),
  /** Image data: the last in-training eval (MS-SSIM; FID* and KID* in a classifier's feature space, not Inception). */
  image: z
    .object({ step: z.number().int(), samples: z.number().int(), msssim: Num, fid: Num.optional(), kid: Num.optional() })
    .optional(),
  /** The last exact spectra over D's layers. */
  spectra: z.object({ step: z.number().int(), dConditionMax: Num, dSmallShareMax: Num }).optional(),
});
export type StudyRow = z.infer<typeof StudyRow>;

export const StudySummary = z.object({
  id: StudyId,
  kind: z.enum(STUDY_KINDS),
  dataset: z.string(),
  /** Whether the dataset makes images or 2D points (which columns apply). */
  dataKind: z.enum(['images', 'points']),
  steps: z.number().int(),
  state: z.enum(STUDY_STATES),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  total: z.number().int(),
  /** Variants that have ended (any final state). */
  done: z.number().int(),
  /** The variant training now. */
  current: z.object({ index: z.number().int(), label: z.string(), runId: StudyId.optional() }).optional(),
  error: z.string().optional(),
});
export type StudySummary = z.infer<typeof StudySummary>;

export const StudyDetail = StudySummary.extend({
  /** The request as given (defaults not filled in), for reproducing the study. */
  spec: StudyStartBase,
  rows: z.array(StudyRow),
});
export type StudyDetail = z.infer<typeof StudyDetail>;

export const StudyProgress = z.object({
  studyId: StudyId,
  state: z.enum(STUDY_STATES),
  /** The variant that just started or ended (0-based); absent when the study itself ended before any ran. */
  index: z.number().int().optional(),
  total: z.number().int(),
  done: z.number().int(),
  phase: z.enum(['queued', 'variant-start', 'variant-end', 'end']),
  label: z.string().optional(),
  runId: StudyId.optional(),
});
export type StudyProgress = z.infer<typeof StudyProgress>;
