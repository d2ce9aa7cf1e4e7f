/** Generator samples from a seed, and PNG encodings of them (a grid, or one file per sample). */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { imageGridPng, scatterPng } from '../../runs/render';
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

export async function gridPng(s: { data: Float32Array; shape: number[] }): Promise<Uint8Array> {
  if (s.shape.length === 2) return scatterPng(s.data);
  return imageGridPng(s.data, s.shape);
}

/** One PNG per sample (images), grey or RGB at native resolution. */
export async function individualPngs(s: { data: Float32Array; shape: number[] }): Promise<Uint8Array[]> {
  if (s.shape.length !== 4) throw new Error('individual PNGs need image samples (this generator makes points)');
  const [n, h, w, c] = s.shape;
  const per = h * w * c;
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const buf = Buffer.alloc(per);
    for (let j = 0; j < per; j++) buf[j] = Math.max(0, Math.min(255, Math.round((s.data[i * per + j] + 1) * 127.5)));
    out.push(new Uint8Array(await sharp(buf, { raw: { width: w, height: h, channels: c as 1 | 3 } }).png().toBuffer()));
  }
  return out;
}
