/**
 * Load a run folder at a saved checkpoint into the app's own Generator (EMA weights when the run has them).
 * Every failure names the file that caused it (ExportError.file).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseConfig, type TrainConfig } from '../../../shared/config';
import { buildModels, modelSpec, resolveArch, type Generator, type ModelSpec } from '../models/index';
import { decodeCheckpoint } from '../trainer/checkpoint';
import type { TrainerState } from '../trainer/trainer';
import { Rng } from '../trainer/rng';

export class ExportError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ExportError';
  }
}

export interface LoadedRun {
  dir: string;
  config: TrainConfig;
  spec: ModelSpec;
  step: number;
  checkpoint: string;
  /** The app's generator holding the checkpoint's (EMA if enabled) weights. */
  G: Generator;
  usedEma: boolean;
  /** The generator carries batch norm running statistics from training (not for EMA weights). */
  runningStats: boolean;
  classNames: string[];
  dispose(): void;
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));
const CKPT_RE = /^step-(\d+)\.ckpt$/;

async function readFileNamed(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw new ExportError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : msg(e));
  }
}

/** Dataset manifest beside the run (<workspace>/datasets/<id>/manifest.json), when there is one. */
async function datasetInfo(runDir: string, dataset: string): Promise<{ shape?: number[]; classes: string[] }> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(runDir, '..', '..', 'datasets', dataset, 'manifest.json'), 'utf8')) as {
      width?: number;
      height?: number;
      channels?: number;
      classes?: string[];
    };
    const shape = m.width && m.height && m.channels ? [m.height, m.width, m.channels] : undefined;
    return { shape, classes: Array.isArray(m.classes) ? m.classes.map(String) : [] };
  } catch {
    return { classes: [] };
  }
}

function guessArch(vars: Record<string, Float32Array>): ModelSpec['arch'] {
  if (vars['G/fc1/kernel']) return 'mlp';
  if (vars['G/block1/conv1/kernel']) return 'resnet32';
  const levels = Object.keys(vars).filter((k) => /^G\/deconv\d+\/kernel$/.test(k)).length;
  return levels === 2 ? 'dcgan28' : levels === 4 ? 'cnn64' : 'cnn32';
}

const SIZE: Record<ModelSpec['arch'], number> = { mlp: 0, dcgan28: 28, cnn32: 32, cnn64: 64, resnet32: 32 };

function inferClasses(arch: ModelSpec['arch'], vars: Record<string, Float32Array>): number {
  const ratio = (gamma: string, chLen: number) => (vars[gamma] ? vars[gamma].length / chLen : 0);
  if (arch === 'mlp') return vars['G/cbn1/gamma'] ? ratio('G/cbn1/gamma', vars['G/fc1/bias'].length) : 0;
  if (arch === 'resnet32') return ratio('G/block1/bn1/gamma', vars['G/fc/bias'].length / 16);
  const n = ratio('G/bn1/gamma', vars['G/deconv1/bias']?.length ?? 1);
  return n > 1 ? n : 0;
}

/** Pick a checkpoint: the given step, or the newest one. */
export async function findCheckpoint(dir: string, step?: number): Promise<{ step: number; path: string }> {
  const cdir = path.join(dir, 'checkpoints');
  let names: string[];
  try {
    names = await fs.readdir(cdir);
  } catch {
    throw new ExportError(cdir, 'no checkpoints folder (has the run saved a checkpoint yet?)');
  }
  const all = names
    .map((n) => CKPT_RE.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ step: Number(m[1]), path: path.join(cdir, m[0]) }))
    .sort((a, b) => a.step - b.step);
  if (step !== undefined) {
    const hit = all.find((c) => c.step === step);
    if (!hit) throw new ExportError(path.join(cdir, `step-${step}.ckpt`), `missing (saved steps: ${all.map((c) => c.step).join(', ') || 'none'})`);
    return hit;
  }
  if (!all.length) throw new ExportError(cdir, 'no checkpoint files (step-<n>.ckpt)');
  return all[all.length - 1];
}

export async function loadRun(dir: string, opts: { checkpoint?: number } = {}): Promise<LoadedRun> {
  const cfgFile = path.join(dir, 'config.json');
  let config: TrainConfig;
  try {
    config = parseConfig(JSON.parse((await readFileNamed(cfgFile)).toString('utf8')));
  } catch (e) {
    throw e instanceof ExportError ? e : new ExportError(cfgFile, msg(e));
  }
  const ck = await findCheckpoint(dir, opts.checkpoint);
  const bytes = await readFileNamed(ck.path);
  let state: TrainerState;
  let meta: Record<string, unknown> | undefined;
  try {
    ({ state, meta } = decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  } catch (e) {
    throw new ExportError(ck.path, `damaged checkpoint: ${msg(e)}`);
  }
  const vars = state.ema ? { ...state.vars, ...state.ema } : state.vars;
  const arch: ModelSpec['arch'] =
    typeof meta?.arch === 'string' ? (meta.arch as ModelSpec['arch']) : config.arch !== 'auto' ? config.arch : guessArch(vars);
  if (!vars['G/out/bias']) throw new ExportError(ck.path, 'checkpoint lacks generator weights (G/out/bias)');
  const ds = await datasetInfo(dir, config.dataset);
  const outLen = vars['G/out/bias'].length;
  const dataShape = arch === 'mlp' ? [outLen] : ds.shape && ds.shape[2] === outLen ? ds.shape : [SIZE[arch], SIZE[arch], outLen];
  const classes = config.conditional ? inferClasses(arch, vars) : 0;
  // The latent size is read off the first dense layer (config.zdim may be 0 = 'auto', resolved by data kind).
  const first = arch === 'mlp' ? 'G/fc1' : 'G/fc';
  const zdim = vars[`${first}/kernel`] && vars[`${first}/bias`] ? vars[`${first}/kernel`].length / vars[`${first}/bias`].length : config.zdim;
  const spec = modelSpec({ ...config, zdim, arch: resolveArch(arch, dataShape) }, dataShape, classes);
  spec.classes = classes;
  let G: Generator;
  try {
    const built = buildModels(spec, Rng.derive(config.seed, 0));
    built.D.params.dispose();
    G = built.G;
  } catch (e) {
    throw new ExportError(cfgFile, `cannot build the generator: ${msg(e)}`);
  }
  let runningStats = false;
  try {
    for (const [name, v] of G.params.vars) {
      const d = vars[name];
      if (!d) throw new Error(`checkpoint lacks ${name} (missing weights or different architecture)`);
      if (d.length !== v.size) throw new Error(`${name} has ${d.length} values, the generator needs ${v.size}`);
      tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
    }
    for (const k of G.params.kernels) {
      const st = state.sn[k.name];
      if (k.sn && st) k.sn.setState(st);
    }
    // Running statistics belong to the trained weights, not to their EMA; older checkpoints lack them.
    runningStats = !state.ema && G.params.stats.size > 0 && [...G.params.stats.keys()].every((n) => state.vars[n]?.length === G.params.stats.get(n)!.size);
    if (runningStats) for (const [name, v] of G.params.stats) tf.tidy(() => v.assign(tf.tensor(state.vars[name], v.shape)));
    G.params.bnMode = runningStats ? 'eval' : 'batch';
  } catch (e) {
    G.params.dispose();
    throw new ExportError(ck.path, msg(e));
  }
  const classNames = classes ? (ds.classes.length === classes ? ds.classes : Array.from({ length: classes }, (_, i) => String(i))) : [];
  return {
    dir,
    config,
    spec,
    step: state.step,
    checkpoint: ck.path,
    G,
    usedEma: !!state.ema,
    runningStats,
    classNames,
    dispose: () => G.params.dispose(),
  };
}
