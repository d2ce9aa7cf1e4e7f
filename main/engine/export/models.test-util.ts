/** Helpers for the export tests: tiny untrained generators with fixed seeds, latents, diffs. */
import * as tf from '@tensorflow/tfjs';
import { buildModels, type Generator, type ModelSpec } from '../models/index';
import { Rng } from '../trainer/rng';

export interface TinyCase {
  arch: ModelSpec['arch'];
  classes: number;
}

const SHAPES: Record<ModelSpec['arch'], number[]> = { mlp: [2], dcgan28: [28, 28, 1], cnn32: [32, 32, 3], cnn64: [64, 64, 3], resnet32: [32, 32, 3] };

export function tinySpec(c: TinyCase): ModelSpec {
  return { arch: c.arch, zdim: 8, dataShape: SHAPES[c.arch], classes: c.classes, dNorm: 'sn', dCh: 4, gCh: c.arch === 'mlp' ? 16 : 4, snIters: 1, snWarmup: 0, seed: 11 };
}

/** A generator with random (glorot) weights and perturbed BN affine parameters, so every weight matters. */
export function tinyGenerator(c: TinyCase): Generator {
  const { G, D } = buildModels(tinySpec(c), Rng.derive(11, 0));
  D.params.dispose();
  const r = new Rng(99);
  for (const [name, v] of G.params.vars) {
    if (/(gamma|beta|bias)$/.test(name)) tf.tidy(() => v.assign(tf.add(v, tf.tensor(r.normal(v.size, 0.2), v.shape))));
  }
  return G;
}

export function latents(G: Generator, n: number, seed: number): { z: tf.Tensor; onehot?: tf.Tensor } {
  const r = new Rng(seed);
  const z = tf.tensor(r.normal(n * G.zdim), [n, G.zdim]);
  if (!G.classes) return { z };
  const lab = Int32Array.from({ length: n }, (_, i) => i % G.classes);
  return { z, onehot: tf.tidy(() => tf.oneHot(tf.tensor1d(lab, 'int32'), G.classes).toFloat()) };
}

export function maxAbsDiff(a: tf.Tensor | Float32Array, b: tf.Tensor | Float32Array): number {
  const x = a instanceof Float32Array ? a : (a.dataSync() as Float32Array);
  const y = b instanceof Float32Array ? b : (b.dataSync() as Float32Array);
  if (x.length !== y.length) return Infinity;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}
