/**
 * The Train form, generated from the shared zod schema (shared/config.ts): every leaf of TrainConfig
 * becomes a field with its kind, options, bounds and default. Labels, groups and help text are ours;
 * a schema field we have no words for still appears, under "Advanced". Pure: no DOM, no Svelte.
 */
import type { z } from 'zod';
import { PRESETS, SMALL_DATASET, TrainConfig, defaultConfig, resolveOptim, type PresetName } from '../../../shared/config';
import { flatten, unflatten, type Flat } from './config-diff';

export type FieldKind = 'enum' | 'int' | 'number' | 'boolean' | 'string';

export interface Field {
  key: string;
  kind: FieldKind;
  label: string;
  group: string;
  help?: string;
  options?: readonly string[];
  min?: number;
  max?: number;
  optional: boolean;
  /** Show only when this returns true for the current values (e.g. the GP weight only for gp). */
  when?: (v: Flat) => boolean;
}

interface Meta {
  label: string;
  group: string;
  help?: string;
  when?: (v: Flat) => boolean;
}

const usesGp = (v: Flat) => String(v['d.norm']).includes('gp');
const usesSn = (v: Flat) => String(v['d.norm']).includes('sn');

/** Order here is display order. Keys the schema lacks are skipped. */
const META: Record<string, Meta> = {
  arch: { label: 'Architecture', group: 'Model', help: 'auto picks an MLP for 2D points and a CNN sized to the images' },
  conditional: { label: 'Class-conditional', group: 'Model', help: 'Projection discriminator and conditional BN when the dataset has classes' },
  'd.norm': { label: 'D stabiliser', group: 'Model', help: 'sn = spectral normalization; gp = gradient penalty; clip = WGAN weight clipping' },
  'sn.iters': { label: 'SN power iterations', group: 'Model', help: 'Per training step, 1–10 (the paper uses 1)', when: usesSn },
  'sn.warmup': { label: 'SN warm-up iterations', group: 'Model', help: 'At construction (PyTorch does 15)', when: usesSn },
  'sn.update': { label: 'SN u refresh', group: 'Model', help: 'per-step: once per D update; per-forward: every training forward of D (PyTorch, Chainer)', when: usesSn },
  'd.gpLambda': { label: 'GP weight λ', group: 'Model', when: usesGp },
  'd.clip': { label: 'Clip value', group: 'Model', when: (v) => v['d.norm'] === 'clip' },
  'd.ch': { label: 'D width', group: 'Model', help: '0 = architecture default' },
  'g.ch': { label: 'G width', group: 'Model', help: '0 = architecture default' },
  loss: { label: 'Loss', group: 'Optimiser', help: 'hinge, non-saturating (ns), Wasserstein (wgan), least squares (ls)' },
  preset: { label: 'Adam preset', group: 'Optimiser', help: 'Miyato et al. 2018, Table 1 (A–F); resnet = the ResNet recipe (auto for resnet32)' },
  lr: { label: 'Learning rate', group: 'Optimiser', help: 'Empty = from the preset' },
  beta1: { label: 'Adam β1', group: 'Optimiser', help: 'Empty = from the preset' },
  beta2: { label: 'Adam β2', group: 'Optimiser', help: 'Empty = from the preset' },
  ndis: { label: 'D steps per G step', group: 'Optimiser', help: 'Empty = from the preset' },
  lrDecay: { label: 'LR decay', group: 'Optimiser', help: 'auto = linear with the resnet preset, none otherwise' },
  genBatch: { label: 'G-step batch', group: 'Optimiser', help: '0 = auto (2 × batch with the resnet preset, else the batch)' },
  dequantize: { label: 'Dequantisation noise', group: 'Schedule', help: 'x/128 − 1 + U[0, 1/128) on real images' },
  'ema.enabled': { label: 'EMA of G weights', group: 'Optimiser' },
  'ema.decay': { label: 'EMA decay', group: 'Optimiser', when: (v) => v['ema.enabled'] === true },
  'ema.start': { label: 'EMA start step', group: 'Optimiser', when: (v) => v['ema.enabled'] === true },
  'aug.mode': {
    label: 'Augmentation',
    group: 'Small data',
    help: `auto = ADA on datasets under ${SMALL_DATASET.toLocaleString('en')} images, off otherwise; ada = each op (color, translation, cutout) with a probability p that rises only while D overfits (r_t above 0.6); diffaugment = every op on every image. Applied to real and fake images in every D and G step; samples and exports are never augmented`,
  },
  'aug.policy': { label: 'DiffAugment ops', group: 'Small data', help: 'Comma-separated: color, translation, cutout', when: (v) => v['aug.mode'] !== 'off' },
  'aug.target': { label: 'ADA target r_t', group: 'Small data', help: 'E[sign D(real)] ADA steers towards (the paper: 0.6)', when: (v) => v['aug.mode'] === 'ada' },
  'aug.interval': { label: 'ADA interval', group: 'Small data', help: 'D updates between adjustments of p', when: (v) => v['aug.mode'] === 'ada' },
  'aug.speedKimg': { label: 'ADA speed (kimg)', group: 'Small data', help: 'p can go 0 → 1 in this many thousand real images (the paper: 500)', when: (v) => v['aug.mode'] === 'ada' },
  'aug.p0': { label: 'ADA initial p', group: 'Small data', when: (v) => v['aug.mode'] === 'ada' },
  heldOut: {
    label: 'Held-out share (gauge)',
    group: 'Small data',
    help: 'Images never trained on, for the overfitting gauge (D on training vs held-out images). Empty = 5 % (at least 100) where the dataset can spare it; 0 = none',
  },
  batch: { label: 'Batch size', group: 'Schedule' },
  zdim: { label: 'Latent size z', group: 'Schedule' },
  steps: { label: 'Steps', group: 'Schedule', help: 'Generator updates' },
  seed: { label: 'Seed', group: 'Schedule' },
  sampleEvery: { label: 'Sample every', group: 'Schedule', help: 'Steps between saved sample grids (all are kept)' },
  checkpointEvery: { label: 'Checkpoint every', group: 'Schedule' },
  logEvery: { label: 'Log metrics every', group: 'Schedule' },
  keepCheckpoints: { label: 'Checkpoints kept', group: 'Schedule' },
  backend: { label: 'Compute backend', group: 'Schedule', help: 'auto picks the fastest that works here' },
  engine: {
    label: 'Step engine',
    group: 'Schedule',
    help: "auto = the training step compiled to ONNX and run in onnxruntime (native code, checked against tfjs on the first update; tfjs if it differs or fails, with the reason in the run's status); tfjs = never compiled",
  },
  threads: { label: 'CPU threads', group: 'Schedule', help: 'wasm and onnxruntime: 0 = every core; 1 = single-threaded' },
};

/** Fields the form does not show (the dataset has its own picker). */
const HIDDEN = new Set(['dataset']);

export const GROUPS = ['Model', 'Optimiser', 'Small data', 'Schedule', 'Advanced'] as const;

type AnySchema = z.ZodType & { def: Record<string, unknown> } & Record<string, unknown>;

function leaf(key: string, schema: AnySchema, optional: boolean, out: Field[]): void {
  const type = schema.def.type as string;
  if (type === 'default' || type === 'prefault' || type === 'optional' || type === 'nullable') {
    leaf(key, schema.def.innerType as AnySchema, optional || type === 'optional', out);
    return;
  }
  if (type === 'object') {
    for (const [k, v] of Object.entries(schema.shape as Record<string, AnySchema>)) leaf(key ? `${key}.${k}` : k, v, false, out);
    return;
  }
  if (HIDDEN.has(key)) return;
  const meta = META[key] ?? { label: key, group: 'Advanced' };
  const base = { key, label: meta.label, group: meta.group, help: meta.help, when: meta.when, optional };
  if (type === 'enum') out.push({ ...base, kind: 'enum', options: schema.options as string[] });
  else if (type === 'boolean') out.push({ ...base, kind: 'boolean' });
  else if (type === 'number') {
    let min = schema.minValue as number | null;
    // .positive() is an exclusive bound at 0: for integers that means 1.
    const checks = (schema.def.checks as { _zod?: { def?: { check?: string; inclusive?: boolean; value?: number } } }[] | undefined) ?? [];
    const gt = checks.map((c) => c._zod?.def).find((d) => d?.check === 'greater_than' && d.inclusive === false);
    if (gt && schema.isInt && typeof gt.value === 'number' && min === gt.value) min = gt.value + 1;
    const max = schema.maxValue as number | null;
    out.push({
      ...base,
      kind: schema.isInt ? 'int' : 'number',
      min: min != null && Number.isFinite(min) && Math.abs(min) < 1e15 ? min : undefined,
      max: max != null && Number.isFinite(max) && Math.abs(max) < 1e15 ? max : undefined,
    });
  } else out.push({ ...base, kind: 'string' });
}

/** All form fields, in display order. */
export function configFields(schema: z.ZodType = TrainConfig): Field[] {
  const all: Field[] = [];
  leaf('', schema as AnySchema, false, all);
  const order = Object.keys(META);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return all.sort((a, b) => rank(a.key) - rank(b.key));
}

/** Defaults as flat values (optional fields without a default are absent). */
export function defaultValues(): Flat {
  return flatten(defaultConfig());
}

/** Form values (flat) → the nested config object to send; empty optional fields are left out. */
export function toConfig(values: Flat, dataset?: string): Record<string, unknown> {
  const clean: Flat = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === '' || v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v))) continue;
    clean[k] = v;
  }
  if (dataset) clean.dataset = dataset;
  return unflatten(clean);
}

/** A run's stored config → form values (for duplicate-with-changes). Unknown keys are dropped. */
export function fromConfig(config: Record<string, unknown>): { values: Flat; dataset?: string } {
  const known = new Set(configFields().map((f) => f.key));
  const flat = flatten(config);
  const values: Flat = defaultValues();
  for (const [k, v] of Object.entries(flat)) if (known.has(k)) values[k] = v;
  return { values, dataset: typeof config.dataset === 'string' ? config.dataset : undefined };
}

/** Inline validation: dotted key → message, from the shared schema itself. */
export function validate(values: Flat, dataset: string): Record<string, string> {
  const r = TrainConfig.safeParse(toConfig(values, dataset));
  const errors: Record<string, string> = {};
  if (r.success) return errors;
  for (const issue of r.error.issues) {
    const key = issue.path.join('.') || '_';
    if (!errors[key]) errors[key] = issue.message;
  }
  return errors;
}

/** What the preset supplies for an optimiser field left empty (shown as placeholder). */
export function presetHint(values: Flat, key: string): string | undefined {
  if (!['lr', 'beta1', 'beta2', 'ndis'].includes(key)) return undefined;
  const preset = values.preset === 'resnet' || (values.preset as PresetName) in PRESETS ? (values.preset as PresetName) : 'C';
  const eff = resolveOptim({ preset, lr: undefined, beta1: undefined, beta2: undefined, ndis: undefined });
  return String(eff[key as keyof typeof eff]);
}

export { PRESETS };
