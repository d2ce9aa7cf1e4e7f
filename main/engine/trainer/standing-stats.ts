/**
 * Batch-norm statistics for the EMA generator weights ("standing statistics", as BigGAN samples its EMA G).
 * The running statistics G keeps in training belong to the live weights; EMA weights have none of their own, and
 * normalising with each sampling batch's statistics makes a latent's image depend on the rest of the batch.
 * So: forward `BATCHES` batches of fixed latents through the EMA weights, average each layer's batch mean and
 * unbiased variance, and sample in eval mode on those. Recomputed lazily after the EMA moves; checkpointed.
 */
import * as tf from '@tensorflow/tfjs';
import { logical } from '../models/params';
import type { Generator } from '../models/index';
import type { Ema } from '../optim';
import type { Rng } from './rng';

/** 16 batches of the training batch size (≥ 1,000 latents at batch 64). */
export const STANDING_BATCHES = 16;

export class StandingStats {
  private stats: Map<string, tf.Tensor> | null = null;
  private atStep = -1;
  private readonly z: tf.Tensor[];
  private readonly oh: (tf.Tensor | undefined)[];

  constructor(
    private readonly G: Generator,
    private readonly ema: Ema,
    rng: Rng,
    batch: number,
  ) {
    // the same latents (and labels) every time: the statistics depend on the weights only
    this.z = Array.from({ length: STANDING_BATCHES }, () => tf.tensor(rng.normal(batch * G.zdim), [batch, G.zdim]));
    this.oh = this.z.map(() =>
      G.classes > 0 ? tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(G.classes)), 'int32'), G.classes).toFloat()) : undefined,
    );
  }

  /** The EMA weights changed: the statistics are stale. */
  invalidate(): void {
    this.atStep = -1;
  }

  /** The statistics for the EMA weights at `step`, computing them if stale. */
  current(step: number): Map<string, tf.Tensor> {
    if (this.stats && this.atStep === step) return this.stats;
    const p = this.G.params;
    p.override = new Map([...this.ema.shadow].map(([k, v]) => [logical(k), v as tf.Tensor]));
    p.bnMode = 'standing';
    p.standing = new Map();
    try {
      for (let i = 0; i < this.z.length; i++) tf.tidy(() => this.G.apply(this.z[i], this.oh[i]));
      const next = new Map<string, tf.Tensor>();
      for (const [name, { sum, n }] of p.standing) next.set(name, tf.keep(tf.tidy(() => tf.div(sum, n))));
      this.set(next, step);
    } finally {
      for (const { sum } of p.standing.values()) sum.dispose();
      p.standing = null;
      p.override = null;
      p.bnMode = 'train';
    }
    return this.stats!;
  }

  async getState(step: number): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [k, t] of this.current(step)) out[k] = (await t.data()) as Float32Array;
    return out;
  }

  /** From a checkpoint; without its statistics (older checkpoints) they are recomputed on first use. */
  setState(s: Record<string, Float32Array> | undefined, step: number): void {
    const p = this.G.params;
    const ok = !!s && [...p.stats].every(([k, v]) => s[k]?.length === v.size);
    if (!ok) return this.invalidate();
    this.set(new Map([...p.stats].map(([k, v]) => [k, tf.tensor(s[k], v.shape)])), step);
  }

  private set(stats: Map<string, tf.Tensor>, step: number): void {
    if (this.stats) tf.dispose([...this.stats.values()]);
    this.stats = stats;
    this.atStep = step;
  }

  dispose(): void {
    if (this.stats) tf.dispose([...this.stats.values()]);
    tf.dispose([...this.z, ...this.oh.filter((t): t is tf.Tensor => !!t)]);
  }
}
