/**
 * Rebuild a run's generator from its config and checkpoint bytes (EMA weights when the run has them).
 * No file I/O here: runs/read-run.ts reads the files. Every failure names the file that caused it (ExportError.file).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../../shared/config';
import { ExportError } from '../../../shared/export-error';
import type { RunFiles } from '../../../shared/run-files';
import { buildModels, modelSpec, resolveArch, type Generator, type ModelSpec } from '../models/index';
import { decodeCheckpoint } from '../trainer/checkpoint';
import type { TrainerState } from '../trainer/state';
import { Rng } from '../trainer/rng';

export interface LoadedRun {
  dir: string;
  config: TrainConfig;
  spec: ModelSpec;
  step: number;
  checkpoint: string;
  /** The app's generator holding the checkpoint's (EMA if enabled) weights. */
  G: Generator;
  usedEma: boolean;
  /** The generator carries batch norm running statistics (for EMA weights: their standing statistics). */
  runningStats: boolean;
  classNames: string[];
  dispose(): void;
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

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


/** The run's generator at that checkpoint: the app's own Generator holding its (EMA if enabled) weights. */
export function generatorFromCheckpoint(input: RunFiles): LoadedRun {
  const { dir, config, bytes, checkpoint: ck, configFile: cfgFile, dataset: ds } = input;
  let state: TrainerState;
  let meta: Record<string, unknown> | undefined;
  try {
    ({ state, meta } = decodeCheckpoint(bytes));
  } catch (e) {
    throw new ExportError(ck.path, `damaged checkpoint: ${msg(e)}`);
  }
  const vars = state.ema ? { ...state.vars, ...state.ema } : state.vars;
  const arch: ModelSpec['arch'] =
    typeof meta?.arch === 'string' ? (meta.arch as ModelSpec['arch']) : config.arch !== 'auto' ? config.arch : guessArch(vars);
  if (!vars['G/out/bias']) throw new ExportError(ck.path, 'checkpoint lacks generator weights (G/out/bias)');
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
    // Running statistics belong to the trained weights; EMA weights have their own standing statistics
    // (trainer/standing-stats.ts). Older checkpoints lack them: those fall back to batch statistics.
    const stats = state.ema ? state.emaStats : state.vars;
    runningStats = !!stats && G.params.stats.size > 0 && [...G.params.stats.keys()].every((n) => stats[n]?.length === G.params.stats.get(n)!.size);
    if (runningStats) for (const [name, v] of G.params.stats) tf.tidy(() => v.assign(tf.tensor(stats![name], v.shape)));
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
