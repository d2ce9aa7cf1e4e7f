/**
 * Latent interpolation for `sngan-studio sample --interpolate A,B --steps N`: the generator's images along the
 * great circle (slerp) between two latents, as one PNG strip. An end is a cell of the run's fixed-latent
 * sample grid (the same z the Samples view shows) or a latent drawn from a seed (the same z `sample --seed`
 * and the exports use). Loading, sampling and PNG encoding are the export room's own code paths.
 */
import * as tf from '@tensorflow/tfjs';
import type { LatentRef } from '../../shared/api';
import { prepareGenerator } from '../processes/export';
import { runGraph } from '../engine/export/graph';
import { seededLatents } from '../engine/export/images';
import { writeFileAtomic } from '../runs/atomic';
import { Rng } from '../engine/trainer/rng';
import { SAMPLE_GRID } from '../engine/trainer/trainer';
import { imageGridPng } from '../imaging/png';
import { UsageError } from './args';

/** "12" → grid cell 12; "seed:7" (or "s7") → the latent of seed 7. */
export function parseLatentRef(text: string): LatentRef {
  const t = text.trim();
  let m = /^(\d+)$/.exec(t);
  if (m) {
    const cell = Number(m[1]);
    if (cell >= SAMPLE_GRID) throw new UsageError(`grid cell ${cell} is out of range (the sample grid has cells 0–${SAMPLE_GRID - 1})`);
    return { cell };
  }
  m = /^(?:seed:|s)(\d+)$/i.exec(t);
  if (m && Number(m[1]) <= 2 ** 31 - 1) return { seed: Number(m[1]) };
  throw new UsageError(`'${text}' is neither a grid cell (0–${SAMPLE_GRID - 1}) nor a seed (seed:N)`);
}

export function formatLatentRef(r: LatentRef): string {
  return 'cell' in r ? String(r.cell) : `seed:${r.seed}`;
}

/** Spherical interpolation between a and b at t ∈ [0, 1]; falls back to a straight line when they are (anti)parallel. */
export function slerp(a: ArrayLike<number>, b: ArrayLike<number>, t: number): Float32Array {
  if (a.length !== b.length) throw new Error(`latents differ in size (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cos = na > 0 && nb > 0 ? Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb))) : 1;
  const omega = Math.acos(cos);
  const so = Math.sin(omega);
  const out = new Float32Array(a.length);
  if (so < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
    return out;
  }
  const wa = Math.sin((1 - t) * omega) / so;
  const wb = Math.sin(t * omega) / so;
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

/** n latents from a to b, both ends included. */
export function slerpPath(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float32Array[] {
  if (n < 2) throw new Error('an interpolation needs at least 2 steps');
  return Array.from({ length: n }, (_, i) => slerp(a, b, i / (n - 1)));
}

/**
 * The latent (and class index for conditional generators) an end refers to. Grid cells reproduce the trainer's
 * fixed latents: Rng.derive(config.seed, 2), SAMPLE_GRID rows, classes in equal consecutive blocks.
 */
export function latentFor(ref: LatentRef, zdim: number, classes: number, runSeed: number): { z: Float32Array; label: number } {
  if ('cell' in ref) {
    if (ref.cell >= SAMPLE_GRID) throw new UsageError(`grid cell ${ref.cell} is out of range (0–${SAMPLE_GRID - 1})`);
    const all = Rng.derive(runSeed, 2).normal(SAMPLE_GRID * zdim);
    return { z: all.slice(ref.cell * zdim, (ref.cell + 1) * zdim), label: classes > 0 ? Math.floor((ref.cell * classes) / SAMPLE_GRID) : 0 };
  }
  const { z, labels } = seededLatents(zdim, classes, 1, ref.seed);
  return { z, label: labels ? labels[0] : 0 };
}

export interface InterpolateOptions {
  run: string;
  a: LatentRef;
  b: LatentRef;
  steps: number;
  out: string;
  checkpoint?: number;
}

/** Write the strip of `steps` images from a to b to `out` (atomically). */
export async function interpolateRun(o: InterpolateOptions): Promise<{ out: string; step: number; n: number }> {
  const p = await prepareGenerator(o.run, { checkpoint: o.checkpoint });
  try {
    const g = p.graph;
    if (g.outShape.length !== 3) throw new Error('interpolation needs an image generator (this run makes 2D points)');
    const A = latentFor(o.a, g.zdim, g.classes, p.run.config.seed);
    const B = latentFor(o.b, g.zdim, g.classes, p.run.config.seed);
    const n = o.steps;
    const z = new Float32Array(n * g.zdim);
    slerpPath(A.z, B.z, n).forEach((row, i) => z.set(row, i * g.zdim));
    const out = tf.tidy(() => {
      const zt = tf.tensor2d(z, [n, g.zdim]);
      let oh: tf.Tensor | undefined;
      if (g.classes > 0) {
        // The class moves linearly from a's to b's (conditional batch norm is linear in the one-hot).
        const t = tf.linspace(0, 1, n).reshape([n, 1]);
        const ea = tf.oneHot(tf.fill([n], A.label, 'int32') as tf.Tensor1D, g.classes).toFloat();
        const eb = tf.oneHot(tf.fill([n], B.label, 'int32') as tf.Tensor1D, g.classes).toFloat();
        oh = ea.mul(tf.sub(1, t)).add(eb.mul(t));
      }
      return runGraph(g, zt, oh);
    });
    const data = Float32Array.from(await out.data());
    const shape = out.shape;
    out.dispose();
    await writeFileAtomic(o.out, await imageGridPng(data, shape, n));
    return { out: o.out, step: p.run.step, n };
  } finally {
    p.dispose();
  }
}
