import type { TrainConfig } from '../../../shared/config';
import type { Rng } from '../trainer/rng';
import { mlpDiscriminator, mlpGenerator } from './mlp';
import { cnnDiscriminator, cnnGenerator } from './cnn';
import { resnetDiscriminator, resnetGenerator } from './resnet';
import type { Discriminator, Generator, ModelSpec } from './types';

export type { Discriminator, Generator, ModelSpec } from './types';
export { Params, type KernelInfo } from './params';

/** Pick the architecture for `auto`: MLP for points, the standard CNN matching the image size. */
export function resolveArch(arch: TrainConfig['arch'], dataShape: number[]): ModelSpec['arch'] {
  if (arch !== 'auto') return arch;
  if (dataShape.length === 1) return 'mlp';
  const s = dataShape[0];
  if (s === 28) return 'dcgan28';
  if (s === 32) return 'cnn32';
  if (s === 64) return 'cnn64';
  throw new Error(`no default architecture for ${dataShape.join('×')} data (use 28, 32 or 64 pixels)`);
}

export function modelSpec(config: TrainConfig, dataShape: number[], classes: number): ModelSpec {
  return {
    arch: resolveArch(config.arch, dataShape),
    zdim: config.zdim,
    dataShape,
    classes: config.conditional ? classes : 0,
    dNorm: config.d.norm,
    dCh: config.d.ch,
    gCh: config.g.ch,
    snIters: config.sn.iters,
    snWarmup: config.sn.warmup,
    seed: config.seed,
  };
}

export function buildModels(spec: ModelSpec, rng: Rng): { G: Generator; D: Discriminator } {
  const want = spec.arch === 'mlp' ? 1 : 3;
  if (spec.dataShape.length !== want) throw new Error(`architecture ${spec.arch} does not fit data of shape [${spec.dataShape.join(',')}]`);
  if (spec.arch !== 'mlp' && spec.dataShape[0] !== spec.dataShape[1]) throw new Error('images must be square');
  switch (spec.arch) {
    case 'mlp':
      return { G: mlpGenerator(spec, rng), D: mlpDiscriminator(spec, rng) };
    case 'dcgan28':
    case 'cnn32':
    case 'cnn64':
      if (spec.arch === 'dcgan28' && spec.dataShape[0] !== 28) throw new Error('dcgan28 needs 28×28 data');
      if (spec.arch === 'cnn32' && spec.dataShape[0] !== 32) throw new Error('cnn32 needs 32×32 data');
      if (spec.arch === 'cnn64' && spec.dataShape[0] !== 64) throw new Error('cnn64 needs 64×64 data');
      return { G: cnnGenerator(spec, rng), D: cnnDiscriminator(spec, rng) };
    case 'resnet32':
      return { G: resnetGenerator(spec, rng), D: resnetDiscriminator(spec, rng) };
  }
}
