/**
 * The SN-GAN paper's ResNet for 32×32 (Table 4): G with three up-blocks (BN, ReLU, 2× nearest, conv 3×3),
 * D with an optimised first down-block, one more down-block, two plain blocks, ReLU, global sum pooling, dense.
 * Initialisation as sngan_projection: Glorot-uniform with gain √2 on the residual convs (they feed a ReLU branch),
 * gain 1 on the 1×1 shortcuts, the dense layers and the output conv. D's final dense has no bias (`nobias=True`).
 */
import * as tf from '@tensorflow/tfjs';
import { Params, avgPool2, batchNorm, conv, dense, dActs, dNorm, relu as gRelu, upsample2 } from './params';
import type { Discriminator, Generator, ModelSpec } from './types';
import { projectionHead } from './projection';
import type { Rng } from '../trainer/rng';

/** Chainer's GlorotUniform(math.sqrt(2)) on the residual branch; GlorotUniform() on shortcuts. */
const RES_GAIN = Math.SQRT2;

export function resnetGenerator(spec: ModelSpec, rng: Rng): Generator {
  const [size, , channels] = spec.dataShape;
  if (size !== 32) throw new Error('resnet32 needs 32×32 data');
  const ch = spec.gCh || 256;
  const p = new Params('G', rng, { sn: false, snIters: 1, snWarmup: 0, seed: spec.seed });
  const fc = dense(p, 'fc', spec.zdim, 4 * 4 * ch);
  const blocks = [1, 2, 3].map((i) => {
    const b1 = batchNorm(p, `block${i}/bn1`, ch, [0, 1, 2], spec.classes);
    const c1 = conv(p, `block${i}/conv1`, ch, ch, 3, 1, { gain: RES_GAIN });
    const b2 = batchNorm(p, `block${i}/bn2`, ch, [0, 1, 2], spec.classes);
    const c2 = conv(p, `block${i}/conv2`, ch, ch, 3, 1, { gain: RES_GAIN });
    const sc = conv(p, `block${i}/shortcut`, ch, ch, 1, 1);
    return (x: tf.Tensor, oh?: tf.Tensor) => {
      let h = c1(upsample2(gRelu(b1(x, oh))));
      h = c2(gRelu(b2(h, oh)));
      return tf.add(h, sc(upsample2(x)));
    };
  });
  const bnOut = batchNorm(p, 'bn_out', ch, [0, 1, 2]);
  const out = conv(p, 'out', ch, channels, 3, 1);
  return {
    params: p,
    zdim: spec.zdim,
    outShape: spec.dataShape,
    classes: spec.classes,
    apply: (z, onehot) => {
      let x = tf.reshape(fc(z), [z.shape[0], 4, 4, ch]);
      for (const b of blocks) x = b(x, onehot);
      return tf.tanh(out(gRelu(bnOut(x))));
    },
  };
}

export function resnetDiscriminator(spec: ModelSpec, rng: Rng): Discriminator {
  const [size, , channels] = spec.dataShape;
  if (size !== 32) throw new Error('resnet32 needs 32×32 data');
  const ch = spec.dCh || 128;
  const sn = spec.dNorm === 'sn' || spec.dNorm === 'sn+gp';
  const p = new Params('D', rng, { sn, snIters: spec.snIters, snWarmup: spec.snWarmup, seed: spec.seed + 1 });
  const { relu } = dActs(spec.dNorm);
  const block = (name: string, inC: number, down: boolean, first: boolean) => {
    const c1 = conv(p, `${name}/conv1`, inC, ch, 3, 1, { gain: RES_GAIN });
    const n1 = dNorm(p, `${name}/norm1`, ch, spec.dNorm, true);
    const c2 = conv(p, `${name}/conv2`, ch, ch, 3, 1, { gain: RES_GAIN });
    const n2 = dNorm(p, `${name}/norm2`, ch, spec.dNorm, true);
    const sc = inC !== ch || down ? conv(p, `${name}/shortcut`, inC, ch, 1, 1) : null;
    return (x: tf.Tensor) => {
      let h = first ? x : relu(x);
      h = c2(relu(n1(c1(h))));
      h = n2(h);
      if (down) h = avgPool2(h);
      let s = x;
      if (sc) s = first ? sc(avgPool2(x)) : down ? avgPool2(sc(x)) : sc(x);
      return tf.add(h, s);
    };
  };
  const blocks = [block('block1', channels, true, true), block('block2', ch, true, false), block('block3', ch, false, false), block('block4', ch, false, false)];
  const head = projectionHead(p, ch, spec.classes, false);
  return {
    params: p,
    classes: spec.classes,
    apply: (x, onehot) => {
      let h = x;
      for (const b of blocks) h = b(h);
      const f = tf.sum(relu(h), [1, 2]);
      return head(f, onehot);
    },
  };
}
