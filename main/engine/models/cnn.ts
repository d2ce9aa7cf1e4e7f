/**
 * The SN-GAN paper's "standard CNN" (Miyato et al. 2018, Table 3), generalised over resolution:
 * 32×32 (4→8→16→32), 64×64 (4→…→64) and a 28×28 variant for MNIST-like data (7→14→28).
 * G: dense → r0×r0 → deconv 4×4/2 (BN, ReLU) … → conv 3×3 → tanh.
 * D: [conv 3×3/1, conv 4×4/2] per level, LeakyReLU 0.1, conv 3×3 → dense (+ projection when conditional).
 * Initialisation: Glorot-uniform, gain 1, everywhere (Params.add) — Keras' default and what the app's ports use.
 * chainer-gan-lib draws N(0, 0.02) instead; we keep Glorot on purpose: SN divides D's kernels by σ and BN
 * renormalises G's, so the scale of the draw mostly sets σ_raw (shown in Diagnostics), and Glorot's fan-based
 * scale suits every width and resolution this file builds without a per-size constant.
 */
import * as tf from '@tensorflow/tfjs';
import { Params, batchNorm, conv, deconv, dense, dActs, dNorm, relu } from './params';
import type { Discriminator, Generator, ModelSpec } from './types';
import { projectionHead } from './projection';
import type { Rng } from '../trainer/rng';

function geometry(size: number): { r0: number; levels: number } {
  if (size === 28) return { r0: 7, levels: 2 };
  if (size === 32) return { r0: 4, levels: 3 };
  if (size === 64) return { r0: 4, levels: 4 };
  throw new Error(`standard CNN supports 28, 32 or 64 pixels, not ${size}`);
}

const defaultCh = (size: number) => (size === 28 ? 32 : 64);

export function cnnGenerator(spec: ModelSpec, rng: Rng): Generator {
  const [size, , channels] = spec.dataShape;
  const { r0, levels } = geometry(size);
  const ch = spec.gCh || defaultCh(size);
  const p = new Params('G', rng, { sn: false, snIters: 1, snWarmup: 0, seed: spec.seed });
  const top = ch * 2 ** levels;
  const fc = dense(p, 'fc', spec.zdim, r0 * r0 * top);
  // bn0 is per channel over the r0×r0 map (BatchNorm2d after the reshape, as PyTorch ports and our torch package
  // do), not per unit of the dense output as chainer-gan-lib's BatchNormalization(r0·r0·ch): a convolutional
  // layer's statistics are shared over positions, and 16× fewer statistics keep checkpoints and exports unchanged.
  const bn0 = batchNorm(p, 'bn0', top, [0, 1, 2], spec.classes);
  const ups: { dc: ReturnType<typeof deconv>; bn: ReturnType<typeof batchNorm> }[] = [];
  let c = top;
  for (let i = 0; i < levels; i++) {
    const o = c / 2;
    ups.push({ dc: deconv(p, `deconv${i + 1}`, c, o), bn: batchNorm(p, `bn${i + 1}`, o, [0, 1, 2], spec.classes) });
    c = o;
  }
  const outConv = conv(p, 'out', c, channels, 3, 1);
  return {
    params: p,
    zdim: spec.zdim,
    outShape: spec.dataShape,
    classes: spec.classes,
    apply: (z, onehot) => {
      let x = tf.reshape(fc(z), [z.shape[0], r0, r0, top]);
      x = relu(bn0(x, onehot));
      for (const u of ups) x = relu(u.bn(u.dc(x), onehot));
      return tf.tanh(outConv(x));
    },
  };
}

export function cnnDiscriminator(spec: ModelSpec, rng: Rng): Discriminator {
  const [size, , channels] = spec.dataShape;
  const { levels } = geometry(size);
  const ch = spec.dCh || defaultCh(size);
  const sn = spec.dNorm === 'sn' || spec.dNorm === 'sn+gp';
  const p = new Params('D', rng, { sn, snIters: spec.snIters, snWarmup: spec.snWarmup, seed: spec.seed + 1 });
  const { lrelu } = dActs(spec.dNorm);
  const layers: ((x: tf.Tensor) => tf.Tensor)[] = [];
  let c = channels;
  let res = size;
  for (let i = 0; i < levels; i++) {
    const o = ch * 2 ** i;
    const c1 = conv(p, `conv${2 * i + 1}`, c, o, 3, 1);
    const n1 = dNorm(p, `norm${2 * i + 1}`, o, spec.dNorm, true);
    const c2 = conv(p, `conv${2 * i + 2}`, o, o, 4, 2);
    const n2 = dNorm(p, `norm${2 * i + 2}`, o, spec.dNorm, true);
    layers.push((x) => lrelu(n1(c1(x))), (x) => lrelu(n2(c2(x))));
    c = o;
    res = Math.ceil(res / 2);
  }
  const last = ch * 2 ** levels;
  const cl = conv(p, `conv${2 * levels + 1}`, c, last, 3, 1);
  const nl = dNorm(p, `norm${2 * levels + 1}`, last, spec.dNorm, true);
  layers.push((x) => lrelu(nl(cl(x))));
  const flat = res * res * last;
  const head = projectionHead(p, flat, spec.classes, true);
  return {
    params: p,
    classes: spec.classes,
    apply: (x, onehot) => {
      let h = x;
      for (const l of layers) h = l(h);
      const f = tf.reshape(h, [x.shape[0], flat]);
      return head(f, onehot);
    },
  };
}
