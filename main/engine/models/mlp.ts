/** MLP pair for 2D toy data (GAN Lab style): 3 hidden layers each. */
import { Params, dense, dNorm, dActs, relu, batchNorm } from './params';
import type { Discriminator, Generator, ModelSpec } from './types';
import type { Rng } from '../trainer/rng';
import { projectionHead } from './projection';

export function mlpGenerator(spec: ModelSpec, rng: Rng): Generator {
  const h = spec.gCh || 128;
  const p = new Params('G', rng, { sn: false, snIters: 1, snWarmup: 0, seed: spec.seed });
  const l1 = dense(p, 'fc1', spec.zdim, h);
  const l2 = dense(p, 'fc2', h, h);
  const l3 = dense(p, 'fc3', h, h);
  const out = dense(p, 'out', h, spec.dataShape[0]);
  const cbn = spec.classes > 0 ? batchNorm(p, 'cbn1', h, [0], spec.classes) : null;
  return {
    params: p,
    zdim: spec.zdim,
    outShape: spec.dataShape,
    classes: spec.classes,
    apply: (z, onehot) => {
      let x = l1(z);
      if (cbn) x = cbn(x, onehot);
      x = relu(x);
      x = relu(l2(x));
      x = relu(l3(x));
      return out(x);
    },
  };
}

export function mlpDiscriminator(spec: ModelSpec, rng: Rng): Discriminator {
  const h = spec.dCh || 128;
  const sn = spec.dNorm === 'sn' || spec.dNorm === 'sn+gp';
  const p = new Params('D', rng, { sn, snIters: spec.snIters, snWarmup: spec.snWarmup, seed: spec.seed + 1 });
  const l1 = dense(p, 'fc1', spec.dataShape[0], h);
  const n1 = dNorm(p, 'norm1', h, spec.dNorm, false);
  const l2 = dense(p, 'fc2', h, h);
  const n2 = dNorm(p, 'norm2', h, spec.dNorm, false);
  const l3 = dense(p, 'fc3', h, h);
  const n3 = dNorm(p, 'norm3', h, spec.dNorm, false);
  const head = projectionHead(p, h, spec.classes, true);
  const { lrelu } = dActs(spec.dNorm);
  return {
    params: p,
    classes: spec.classes,
    apply: (x, onehot) => {
      let f = lrelu(n1(l1(x)));
      f = lrelu(n2(l2(f)));
      f = lrelu(n3(l3(f)));
      return head(f, onehot);
    },
  };
}
