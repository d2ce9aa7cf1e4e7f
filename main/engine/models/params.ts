/**
 * A network's parameters and the functional layers that read them.
 * Models are plain functions over named tf.Variables, so spectral normalization,
 * EMA weights, checkpoints and diagnostics all see the same names.
 */
import * as tf from '@tensorflow/tfjs';
import { SpectralNorm, type SNKind } from '../sn/index';
import type { Rng } from '../trainer/rng';

export interface KernelInfo {
  /** Layer name, e.g. "D/conv1". */
  name: string;
  /** Name of the kernel variable, e.g. "D/conv1/kernel". */
  kernel: string;
  kind: SNKind;
  sn?: SpectralNorm;
}

export interface ParamOptions {
  sn: boolean;
  snIters: number;
  snWarmup: number;
  seed: number;
}

let instances = 0;

/** tfjs variable names are global per process; ours carry a "#<instance>" suffix. This strips it. */
export const logical = (tfName: string): string => tfName.replace(/#\d+$/, '');

export class Params {
  readonly vars = new Map<string, tf.Variable>();
  readonly kernels: KernelInfo[] = [];
  /** When set (EMA sampling), read these tensors instead of the variables. */
  override: Map<string, tf.Tensor> | null = null;
  /** Batch-norm running statistics (non-trainable; checkpointed with the weights). */
  readonly stats = new Map<string, tf.Variable>();
  /**
   * How batch norm normalises: 'train' = batch statistics and update the running ones (every
   * training forward, as PyTorch's train mode); 'eval' = the running statistics (inference, export);
   * 'batch' = batch statistics without updating (sampling EMA weights, which have no running stats).
   */
  bnMode: 'train' | 'eval' | 'batch' | 'standing' = 'train';
  /**
   * sn.update 'per-forward': every kernel read refreshes u first (one training-mode forward of D = one power
   * iteration per layer, as torch.nn.utils.spectral_norm and Chainer do). Off: the trainer refreshes once per step.
   */
  snRefresh = false;
  /** When set, batch norm reads these running statistics instead of `stats` (the EMA weights' own). */
  statsOverride: Map<string, tf.Tensor> | null = null;
  /** bnMode 'standing': per-layer sums of batch moments (standing statistics of the EMA weights). */
  standing: Map<string, { sum: tf.Tensor; n: number }> | null = null;
  private snCount = 0;
  private readonly uid = ++instances;

  constructor(
    readonly prefix: string,
    readonly rng: Rng,
    readonly opts: ParamOptions,
  ) {}

  add(name: string, shape: number[], init: 'zeros' | 'ones' | { glorot: [number, number]; gain?: number } | { normal: number }): string {
    const full = `${this.prefix}/${name}`;
    if (this.vars.has(full)) throw new Error(`duplicate parameter ${full}`);
    const size = shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (init === 'zeros') values = new Float32Array(size);
    else if (init === 'ones') values = new Float32Array(size).fill(1);
    else if ('glorot' in init) {
      // Chainer's GlorotUniform(scale): limit = scale · √(6 / (fan_in + fan_out))
      const lim = (init.gain ?? 1) * Math.sqrt(6 / (init.glorot[0] + init.glorot[1]));
      values = this.rng.uniform(size, -lim, lim);
    } else values = this.rng.normal(size, init.normal);
    const init0 = tf.tensor(values, shape);
    this.vars.set(full, tf.variable(init0, true, `${full}#${this.uid}`));
    init0.dispose();
    return full;
  }

  /** Register a weight kernel; wraps it in spectral normalization when `sn` (and `useSn` for this layer). */
  addKernel(layer: string, shape: number[], kind: SNKind, fan: [number, number], useSn = this.opts.sn, gain = 1): string {
    const kname = this.add(`${layer}/kernel`, shape, { glorot: fan, gain });
    const info: KernelInfo = { name: `${this.prefix}/${layer}`, kernel: kname, kind };
    if (useSn) {
      info.sn = new SpectralNorm(this.vars.get(kname)!, kind, {
        iters: this.opts.snIters,
        warmup: this.opts.snWarmup,
        seed: (this.opts.seed * 1000 + this.snCount++) >>> 0,
        name: `${info.name}#${this.uid}`,
      });
    }
    this.kernels.push(info);
    return kname;
  }

  get(name: string): tf.Tensor {
    const o = this.override?.get(name);
    if (o) return o;
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  /** The kernel as used in the forward pass: W/σ for SN layers, W otherwise. */
  kernel(name: string): tf.Tensor {
    const info = this.kernels.find((k) => k.kernel === name);
    if (info?.sn && !this.override) {
      if (this.snRefresh) info.sn.powerIterate();
      return info.sn.normalized();
    }
    return this.get(name);
  }

  /** A non-trainable statistic (zeros or ones), kept out of the optimiser and EMA. */
  addStat(name: string, size: number, fill: 0 | 1): string {
    const full = `${this.prefix}/${name}`;
    if (this.stats.has(full) || this.vars.has(full)) throw new Error(`duplicate parameter ${full}`);
    const init0 = tf.fill([size], fill);
    this.stats.set(full, tf.variable(init0, false, `${full}#${this.uid}`));
    init0.dispose();
    return full;
  }

  trainable(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** Run one power iteration on every SN layer (outside any gradient tape). */
  powerIterate(): void {
    for (const k of this.kernels) k.sn?.powerIterate();
  }

  dispose(): void {
    for (const k of this.kernels) k.sn?.dispose();
    for (const v of [...this.vars.values(), ...this.stats.values()]) v.dispose();
    this.vars.clear();
    this.stats.clear();
  }
}

export type Act = (x: tf.Tensor) => tf.Tensor;
export const lrelu: Act = (x) => tf.leakyRelu(x, 0.1);
export const relu: Act = (x) => tf.relu(x);
/**
 * The same activations written with |x|, whose gradient (via step) is itself differentiable in tfjs;
 * LeakyRelu/Relu gradients use comparison ops with no gradient, which breaks the gradient penalty's double backprop.
 */
export const lreluAbs: Act = (x) => tf.add(tf.mul(x, 0.55), tf.mul(tf.abs(x), 0.45));
export const reluAbs: Act = (x) => tf.mul(tf.add(x, tf.abs(x)), 0.5);
/** D activations: the double-backprop-safe form when a gradient penalty is used. */
export const dActs = (dNorm: string): { lrelu: Act; relu: Act } =>
  dNorm.includes('gp') ? { lrelu: lreluAbs, relu: reluAbs } : { lrelu, relu };

export interface LayerOptions {
  useSn?: boolean;
  /** Glorot-uniform gain (Chainer's scale); 1 = plain Glorot. */
  gain?: number;
  /** Add a trainable bias (default true). SN does not cover a bias, so SN heads of the reference have none. */
  bias?: boolean;
}

export function dense(p: Params, layer: string, inDim: number, outDim: number, o: LayerOptions = {}) {
  const k = p.addKernel(layer, [inDim, outDim], 'dense', [inDim, outDim], o.useSn, o.gain);
  const b = o.bias === false ? null : p.add(`${layer}/bias`, [outDim], 'zeros');
  return (x: tf.Tensor): tf.Tensor => {
    const y = tf.matMul(x as tf.Tensor2D, p.kernel(k) as tf.Tensor2D);
    return b ? tf.add(y, p.get(b)) : y;
  };
}

export function conv(p: Params, layer: string, inC: number, outC: number, ksize: number, stride: number, o: LayerOptions = {}) {
  const k = p.addKernel(layer, [ksize, ksize, inC, outC], 'conv2d', [ksize * ksize * inC, ksize * ksize * outC], o.useSn, o.gain);
  const b = p.add(`${layer}/bias`, [outC], 'zeros');
  return (x: tf.Tensor): tf.Tensor => tf.add(tf.conv2d(x as tf.Tensor4D, p.kernel(k) as tf.Tensor4D, stride, 'same'), p.get(b));
}

/** Transposed conv doubling the resolution (kernel 4, stride 2), kernel stored [kh,kw,out,in]. */
export function deconv(p: Params, layer: string, inC: number, outC: number, useSn?: boolean) {
  const k = p.addKernel(layer, [4, 4, outC, inC], 'conv2dTranspose', [16 * inC, 16 * outC], useSn, 1);
  const b = p.add(`${layer}/bias`, [outC], 'zeros');
  return (x: tf.Tensor): tf.Tensor => {
    const [n, h, w] = x.shape;
    return tf.add(tf.conv2dTranspose(x as tf.Tensor4D, p.kernel(k) as tf.Tensor4D, [n, h * 2, w * 2, outC], 2, 'same'), p.get(b));
  };
}

/** PyTorch's BatchNorm momentum: running ← (1 − m)·running + m·batch (unbiased variance). */
export const BN_MOMENTUM = 0.1;

/**
 * Batch norm. In training it normalises with the batch's statistics and keeps running averages
 * (`track`), which inference and export use, so a trained generator maps each latent to one image
 * whatever else is in the batch. With `classes` > 0 it is conditional: γ, β per class via
 * one-hot × table (no gather, so every backend differentiates it).
 */
export function batchNorm(p: Params, layer: string, ch: number, axes: number[], classes = 0, track = true) {
  const shape = classes > 0 ? [classes, ch] : [ch];
  const g = p.add(`${layer}/gamma`, shape, 'ones');
  const b = p.add(`${layer}/beta`, shape, 'zeros');
  const rm = track ? p.addStat(`${layer}/moving_mean`, ch, 0) : null;
  const rv = track ? p.addStat(`${layer}/moving_variance`, ch, 1) : null;
  return (x: tf.Tensor, onehot?: tf.Tensor): tf.Tensor => {
    let mean: tf.Tensor, variance: tf.Tensor;
    if (p.bnMode === 'eval' && rm && rv) {
      mean = p.statsOverride?.get(rm) ?? p.stats.get(rm)!;
      variance = p.statsOverride?.get(rv) ?? p.stats.get(rv)!;
    } else {
      ({ mean, variance } = tf.moments(x, axes, true));
      if (p.bnMode === 'train' && rm && rv) updateRunning(p.stats.get(rm)!, p.stats.get(rv)!, mean, variance, x.size / ch);
      if (p.bnMode === 'standing' && rm && rv) accumulateStanding(p, rm, rv, mean, variance, x.size / ch);
    }
    const xn = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    if (classes > 0 && onehot) {
      const bshape = x.rank === 4 ? [x.shape[0], 1, 1, ch] : [x.shape[0], ch];
      const gam = tf.reshape(tf.matMul(onehot as tf.Tensor2D, p.get(g) as tf.Tensor2D), bshape);
      const bet = tf.reshape(tf.matMul(onehot as tf.Tensor2D, p.get(b) as tf.Tensor2D), bshape);
      return tf.add(tf.mul(xn, gam), bet);
    }
    const gam = classes > 0 ? tf.mean(p.get(g), 0) : p.get(g);
    const bet = classes > 0 ? tf.mean(p.get(b), 0) : p.get(b);
    return tf.add(tf.mul(xn, gam), bet);
  };
}

function updateRunning(rm: tf.Variable, rv: tf.Variable, mean: tf.Tensor, variance: tf.Tensor, count: number): void {
  const unbiased = count > 1 ? count / (count - 1) : 1;
  const [m, v] = tf.tidy(() => [
    tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(tf.reshape(mean, rm.shape), BN_MOMENTUM)),
    tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(tf.reshape(variance, rv.shape), BN_MOMENTUM * unbiased)),
  ]);
  rm.assign(m);
  rv.assign(v);
  tf.dispose([m, v]);
}

/** Standing statistics: sum this batch's mean and unbiased variance per layer (the caller averages). */
function accumulateStanding(p: Params, rm: string, rv: string, mean: tf.Tensor, variance: tf.Tensor, count: number): void {
  const acc = p.standing!;
  const unbiased = count > 1 ? count / (count - 1) : 1;
  const shape = p.stats.get(rm)!.shape;
  for (const [name, t, f] of [[rm, mean, 1], [rv, variance, unbiased]] as const) {
    const prev = acc.get(name);
    const next = tf.keep(tf.tidy(() => (prev ? tf.add(prev.sum, tf.mul(tf.reshape(t, shape), f)) : tf.mul(tf.reshape(t, shape), f))));
    prev?.sum.dispose();
    acc.set(name, { sum: next, n: (prev?.n ?? 0) + 1 });
  }
}

/** Layer norm over all non-batch axes with per-channel affine. */
export function layerNorm(p: Params, layer: string, ch: number) {
  const g = p.add(`${layer}/gamma`, [ch], 'ones');
  const b = p.add(`${layer}/beta`, [ch], 'zeros');
  return (x: tf.Tensor): tf.Tensor => {
    const axes = x.shape.map((_, i) => i).slice(1);
    const { mean, variance } = tf.moments(x, axes, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), p.get(g)), p.get(b));
  };
}

/** Per-layer normalisation inside D for the 'bn' / 'ln' stabilisers (identity otherwise). */
export function dNorm(p: Params, layer: string, ch: number, kind: string, spatial: boolean): Act {
  if (kind === 'bn') {
    const bn = batchNorm(p, layer, ch, spatial ? [0, 1, 2] : [0], 0, false); // D's BN only ever trains
    return (x) => bn(x);
  }
  if (kind === 'ln') return layerNorm(p, layer, ch);
  return (x) => x;
}

/** Nearest-neighbour 2× upsampling by broadcasting (differentiable on every backend). */
export function upsample2(x: tf.Tensor): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const t = tf.reshape(x, [n, h, 1, w, 1, c]);
  return tf.reshape(tf.mul(t, tf.ones([1, 1, 2, 1, 2, 1])), [n, h * 2, w * 2, c]);
}

/** 2×2 average pooling by reshape + mean. */
export function avgPool2(x: tf.Tensor): tf.Tensor {
  const [n, h, w, c] = x.shape;
  return tf.mean(tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]), [2, 4]);
}
