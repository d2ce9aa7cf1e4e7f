/**
 * Training configuration: one JSON object, validated here, shared by CLI, services, trainer and renderer.
 * No Node, no DOM.
 */
import { z } from 'zod';

/** Adam presets from Miyato et al. 2018, Table 1 (lr, β1, β2, n_dis). */
export const PRESETS = {
  A: { lr: 1e-4, beta1: 0.5, beta2: 0.9, ndis: 5 },
  B: { lr: 1e-4, beta1: 0.5, beta2: 0.999, ndis: 1 },
  C: { lr: 2e-4, beta1: 0.5, beta2: 0.999, ndis: 1 },
  D: { lr: 1e-3, beta1: 0.5, beta2: 0.9, ndis: 5 },
  E: { lr: 1e-3, beta1: 0.5, beta2: 0.999, ndis: 5 },
  F: { lr: 1e-3, beta1: 0.9, beta2: 0.999, ndis: 5 },
} as const;
/**
 * The SN-GAN ResNet recipe (sngan_projection configs/sn_cifar10_*.yml; Miyato et al. 2018, Sec. 4): Adam 2e-4,
 * β1 = 0, β2 = 0.9, n_dis = 5, hinge, linear LR decay to 0 from step 0, and a G step on twice the batch.
 * Not a row of Table 1, so it lives beside PRESETS (studies sweep A–F only).
 */
export const RESNET_PRESET = { lr: 2e-4, beta1: 0, beta2: 0.9, ndis: 5, lrDecay: 'linear', genBatchFactor: 2 } as const;
export type PresetName = keyof typeof PRESETS | 'resnet';

export const ARCHS = ['auto', 'mlp', 'dcgan28', 'cnn32', 'cnn64', 'resnet32'] as const;
export const D_NORMS = ['sn', 'gp', 'sn+gp', 'bn', 'ln', 'clip', 'none'] as const;
export const LOSSES = ['hinge', 'ns', 'wgan', 'ls'] as const;
export type LossName = (typeof LOSSES)[number];
export const SN_UPDATES = ['per-step', 'per-forward'] as const;
/** Picked from the grid25 measurement in README.md ("When u is refreshed"). */
export const DEFAULT_SN_UPDATE: (typeof SN_UPDATES)[number] = 'per-step';
/** Augmentation of real and fake images in every D and G step (main/engine/augment/; README "Small datasets"). */
export const AUG_MODES = ['auto', 'off', 'diffaugment', 'ada'] as const;
export type AugMode = Exclude<(typeof AUG_MODES)[number], 'auto'>;
export const AUG_OPS = ['color', 'translation', 'cutout'] as const;
export type AugOp = (typeof AUG_OPS)[number];
/** 'auto' turns ADA on below this many images (its p rises only where D overfits; README "Small datasets"). */
export const SMALL_DATASET = 5000;
export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const ENGINES = ['auto', 'onnxruntime', 'tfjs'] as const;

const posInt = z.number().int().positive();

export const TrainConfig = z
  .object({
    dataset: z.string().min(1).default('builtin:ring8'),
    arch: z.enum(ARCHS).default('auto'),
    /** Use class labels (projection D + conditional BN in G) when the dataset has classes. */
    conditional: z.boolean().default(false),
    /** 'auto': hinge for images (SN-GAN), non-saturating for 2D points. */
    loss: z.enum([...LOSSES, 'auto']).default('auto'),
    /** 'auto': resnet for arch resnet32, C for other images, D for 2D points (see resolveForData). */
    preset: z.enum(['A', 'B', 'C', 'D', 'E', 'F', 'resnet', 'auto']).default('auto'),
    /** Explicit optimiser settings override the preset. */
    lr: z.number().positive().optional(),
    beta1: z.number().min(0).max(0.9999).optional(),
    beta2: z.number().min(0).max(0.99999).optional(),
    ndis: z.number().int().min(1).max(20).optional(),
    /** 'auto': linear (to 0 from step 0) with the resnet preset, none otherwise. */
    lrDecay: z.enum(['auto', 'none', 'linear']).default('auto'),
    /** Samples in each G step; 0 = auto (2 × batch with the resnet preset, as n_gen_samples: 128 at batch 64; else batch). */
    genBatch: z.number().int().min(0).max(8192).default(0),
    /** Uniform dequantisation noise on real images: x/128 − 1 + U[0, 1/128) (sngan_projection's loader) instead of x/127.5 − 1. */
    dequantize: z.boolean().default(false),
    ema: z
      .object({ enabled: z.boolean().default(false), decay: z.number().min(0).max(1).default(0.999), start: z.number().int().min(0).default(0) })
      .prefault({}),
    batch: posInt.max(4096).default(64),
    /** Latent size; 0 = auto (128 for images, 8 for 2D points). */
    zdim: z.number().int().min(0).max(1024).default(0),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    steps: posInt.default(10000),
    sampleEvery: posInt.default(500),
    checkpointEvery: posInt.default(1000),
    logEvery: posInt.default(50),
    /** Exact per-layer singular-value spectra (D and G) every N steps, computed off the training thread; 0 = off. */
    diagEvery: z.number().int().min(0).default(500),
    /**
     * Image metrics every N steps (0 = off): MS-SSIM diversity, and with labels FID/KID in the feature space of
     * a classifier trained on the dataset's labels (cached per dataset) — not Inception-FID.
     */
    evalEvery: z.number().int().min(0).default(0),
    /** Generated samples scored per image eval. */
    evalSamples: z.number().int().min(16).max(10000).default(500),
    /** How many checkpoint files to keep (oldest removed first). */
    keepCheckpoints: posInt.default(3),
    d: z
      .object({
        norm: z.enum(D_NORMS).default('sn'),
        gpLambda: z.number().min(0).default(10),
        clip: z.number().positive().default(0.01),
        /** Base channel width (CNNs) or hidden width (MLP); 0 = architecture default. */
        ch: z.number().int().min(0).default(0),
      })
      .prefault({}),
    g: z.object({ ch: z.number().int().min(0).default(0) }).prefault({}),
    sn: z
      .object({
        iters: z.number().int().min(1).max(10).default(1),
        warmup: z.number().int().min(0).max(100).default(15),
        /**
         * When u is refreshed: 'per-step' = once per D update (real, fake and GP forwards share one σ) and once
         * before the G step; 'per-forward' = on every training-mode forward of D (torch.nn.utils.spectral_norm, Chainer).
         */
        update: z.enum(SN_UPDATES).default(DEFAULT_SN_UPDATE),
      })
      .prefault({}),
    aug: z
      .object({
        /** 'auto': ADA on image datasets under SMALL_DATASET images, off otherwise; 'ada': each op with an adaptive probability p; 'diffaugment': every op on every image. */
        mode: z.enum(AUG_MODES).default('auto'),
        /** Comma-separated DiffAugment policy, applied in the order color → translation → cutout. */
        policy: z
          .string()
          .regex(/^\s*(color|translation|cutout)(\s*,\s*(color|translation|cutout))*\s*$/, 'a comma-separated list of color, translation, cutout')
          .default('color,translation,cutout'),
        /** ADA: target of r_t = E[sign(D(x_real))] (Karras et al. 2020 use 0.6). */
        target: z.number().min(0).max(1).default(0.6),
        /** ADA: adjust p every this many D updates. */
        interval: z.number().int().min(1).max(1000).default(4),
        /** ADA: p can move from 0 to 1 in this many thousand real images (the paper: 500). */
        speedKimg: z.number().positive().default(500),
        /** ADA: starting p. */
        p0: z.number().min(0).max(1).default(0),
      })
      .prefault({}),
    /**
     * Overfitting gauge: this share of the images (at least GAUGE_MIN_HELD_OUT) is held out of training, carved with
     * the run's seed; D's mean output on it vs on training images is logged every logEvery. 0 = no held-out slice;
     * unset = 5 % where the dataset can spare it (shared/small-data.ts), else none.
     */
    heldOut: z.number().min(0).max(0.5).optional(),
    backend: z.enum(BACKENDS).default('auto'),
    /**
     * Who does the training step's arithmetic: 'auto' compiles it to ONNX and runs it in onnxruntime-node when the
     * compiled step matches the tfjs step on the first update (else tfjs, saying why); 'onnxruntime' insists (a
     * failure stops the run with the reason); 'tfjs' never compiles. Diagnostics, samples, metrics, checkpoints
     * and exports always read the tfjs model.
     */
    engine: z.enum(ENGINES).default('auto'),
    /** CPU threads for the wasm backend and onnxruntime: 0 = every core (wasm: at most 8); 1 = one thread. */
    threads: z.number().int().min(0).max(8).default(0),
  })
  .strict();

export type TrainConfig = z.infer<typeof TrainConfig>;
export type EngineChoice = (typeof ENGINES)[number];
export type TrainConfigInput = z.input<typeof TrainConfig>;

export function defaultConfig(): TrainConfig {
  return TrainConfig.parse({});
}

/**
 * A stored run's config.json as it was meant: one written before augmentation existed (no `aug` key) keeps training
 * as it did — no augmentation, no held-out slice — instead of picking up today's 'auto' defaults on resume.
 */
export function parseRunConfig(obj: unknown): TrainConfig {
  const legacy = obj !== null && typeof obj === 'object' && !Array.isArray(obj) && !('aug' in obj);
  return parseConfig(legacy ? { ...(obj as object), aug: { mode: 'off' }, heldOut: 0 } : obj);
}

/** Parse and fill defaults; throws a readable Error on invalid input. */
export function parseConfig(obj: unknown): TrainConfig {
  const r = TrainConfig.safeParse(obj ?? {});
  if (!r.success) throw new Error(`invalid config: ${z.prettifyError(r.error)}`);
  return r.data;
}

export interface OptimSettings {
  lr: number;
  beta1: number;
  beta2: number;
  ndis: number;
}

/**
 * Replace the 'auto' choices for the kind of data trained on. Deterministic, so a run's config.json
 * (which keeps 'auto') always resolves to the same settings.
 */
export type ResolvedConfig = TrainConfig & { loss: LossName; preset: PresetName; lrDecay: 'none' | 'linear' };

export function resolveForData(c: TrainConfig, kind: 'points' | 'images'): ResolvedConfig {
  // The ResNet gets the recipe it was published with; the standard CNN keeps C (Table 1's best for it).
  const preset: PresetName = c.preset === 'auto' ? (kind === 'points' ? 'D' : c.arch === 'resnet32' ? 'resnet' : 'C') : c.preset;
  const resnet = preset === 'resnet';
  return {
    ...c,
    loss: c.loss === 'auto' ? (kind === 'points' ? 'ns' : 'hinge') : c.loss,
    preset,
    lrDecay: c.lrDecay === 'auto' ? (resnet ? RESNET_PRESET.lrDecay : 'none') : c.lrDecay,
    genBatch: c.genBatch || (resnet ? RESNET_PRESET.genBatchFactor * c.batch : c.batch),
    zdim: c.zdim || (kind === 'points' ? 8 : 128),
  };
}

/** The effective optimiser settings: the preset, overridden by any explicit lr/beta1/beta2/ndis. */
export function resolveOptim(c: Pick<TrainConfig, 'preset' | 'lr' | 'beta1' | 'beta2' | 'ndis'>): OptimSettings {
  const p = c.preset === 'resnet' ? RESNET_PRESET : PRESETS[c.preset === 'auto' ? 'C' : c.preset];
  return { lr: c.lr ?? p.lr, beta1: c.beta1 ?? p.beta1, beta2: c.beta2 ?? p.beta2, ndis: c.ndis ?? p.ndis };
}

function parseValue(raw: string): unknown {
  const s = raw.trim();
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s === 'null') return null;
  if (s !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Number(s);
  if ((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('[') && s.endsWith(']'))) {
    try {
      return JSON.parse(s);
    } catch {
      /* fall through: keep as string */
    }
  }
  return s;
}

/**
 * Apply one `key=value` assignment (dotted keys for nested objects: `d.norm=sn`, `sn.iters=2`)
 * to a plain config object. Returns a new object; does not validate (call parseConfig after).
 */
export function parseSet(obj: Record<string, unknown>, assignment: string): Record<string, unknown> {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set expects key=value, got "${assignment}"`);
  const key = assignment.slice(0, eq).trim();
  const value = parseValue(assignment.slice(eq + 1));
  const path = key.split('.');
  if (path.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype')) throw new Error(`bad key "${key}"`);
  const out: Record<string, unknown> = structuredClone(obj ?? {});
  let cur: Record<string, unknown> = out;
  for (let i = 0; i < path.length - 1; i++) {
    const next = cur[path[i]];
    if (next === undefined || next === null) cur[path[i]] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) throw new Error(`"${path.slice(0, i + 1).join('.')}" is not an object`);
    cur = cur[path[i]] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
  return out;
}
