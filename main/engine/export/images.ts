/** Generator samples from a seed (PNG encodings of them: imaging/png.ts). */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../trainer/rng';
import { runGraph, type GenGraph } from './graph';

/** Latents z ~ N(0, 1) from a seed (the same numbers the HTML sampler and manifest snippets describe), classes cycling. */
export function seededLatents(zdim: number, classes: number, n: number, seed: number): { z: Float32Array; labels: Int32Array | null } {
  const z = Rng.derive(seed, 7).normal(n * zdim);
  const labels = classes > 0 ? Int32Array.from({ length: n }, (_, i) => i % classes) : null;
  return { z, labels };
}

/** n samples from the exported (frozen-BN) graph: the same numbers the exported models give. */
export function sampleGraph(g: GenGraph, n: number, seed: number): { data: Float32Array; shape: number[] } {
  const { z, labels } = seededLatents(g.zdim, g.classes, n, seed);
  const out = tf.tidy(() => {
    const zt = tf.tensor(z, [n, g.zdim]);
    const oh = labels ? tf.oneHot(tf.tensor1d(labels, 'int32'), g.classes).toFloat() : undefined;
    return runGraph(g, zt, oh);
  });
  const data = Float32Array.from(out.dataSync());
  const shape = out.shape;
  out.dispose();
  return { data, shape };
}

/**
 * The same n samples as sampleGraph, `chunk` at a time (chunk even, so the latent stream splits on Box–Muller
 * pairs and sample i gets exactly the latent it gets in one batch): for exports of tens of thousands of images.
 */
export function* sampleGraphChunks(g: GenGraph, n: number, seed: number, chunk = 256): Generator<{ first: number; data: Float32Array; shape: number[] }> {
  const size = chunk % 2 ? chunk + 1 : chunk;
  const rng = Rng.derive(seed, 7);
  for (let first = 0; first < n; first += size) {
    const k = Math.min(size, n - first);
    const z = rng.normal(k * g.zdim);
    const out = tf.tidy(() => {
      const zt = tf.tensor(z, [k, g.zdim]);
      const oh = g.classes > 0 ? tf.oneHot(tf.tensor1d(Int32Array.from({ length: k }, (_, i) => (first + i) % g.classes), 'int32'), g.classes).toFloat() : undefined;
      return runGraph(g, zt, oh);
    });
    const data = Float32Array.from(out.dataSync());
    const shape = out.shape;
    out.dispose();
    yield { first, data, shape };
  }
}
