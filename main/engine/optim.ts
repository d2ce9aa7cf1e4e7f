/**
 * Adam with explicit state (so checkpoints hold it exactly), linear LR decay, and EMA of weights.
 * Presets A–F live in shared/config.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { logical } from './models/params';

export interface AdamState {
  t: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export class Adam {
  t = 0;
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();

  constructor(
    private vars: tf.Variable[],
    public lr: number,
    readonly beta1: number,
    readonly beta2: number,
    readonly eps = 1e-8,
  ) {
    for (const x of vars) {
      const z = tf.zerosLike(x);
      this.m.set(x.name, tf.variable(z, false, `${x.name}/adam_m`));
      this.v.set(x.name, tf.variable(z, false, `${x.name}/adam_v`));
      z.dispose();
    }
  }

  /** Apply one update from gradients keyed by variable name. Does not dispose `grads`. */
  apply(grads: Record<string, tf.Tensor>): void {
    const h = this.hyper();
    tf.tidy(() => this.applyWith(grads, tf.scalar(h.stepSize), tf.scalar(h.epsHat)));
  }

  /**
   * The next update's scalars, bias corrections in double precision folded into one step size (from lr and t + 1).
   * Host numbers, so a compiled step is fed them like its latents.
   */
  hyper(): { stepSize: number; epsHat: number } {
    const t = this.t + 1;
    return {
      stepSize: (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t),
      epsHat: this.eps * Math.sqrt(1 - this.beta2 ** t),
    };
  }

  /** One update with the scalars of hyper() as tensors; counts the step. Call inside a tidy. */
  applyWith(grads: Record<string, tf.Tensor>, stepSize: tf.Tensor, epsHat: tf.Tensor): void {
    this.t += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    for (const x of this.vars) {
      const g = grads[x.name];
      if (!g) continue;
      const m = this.m.get(x.name)!;
      const v = this.v.get(x.name)!;
      const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
      const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
      m.assign(m1);
      v.assign(v1);
      x.assign(tf.sub(x, tf.mul(stepSize, tf.div(m1, tf.add(tf.sqrt(v1), epsHat)))));
    }
  }

  async getState(): Promise<AdamState> {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const [k, t] of this.m) m[logical(k)] = (await t.data()) as Float32Array;
    for (const [k, t] of this.v) v[logical(k)] = (await t.data()) as Float32Array;
    return { t: this.t, m, v };
  }

  setState(s: AdamState): void {
    this.t = s.t;
    for (const [k, t] of this.m) if (s.m[logical(k)]) t.assign(tf.tensor(s.m[logical(k)], t.shape));
    for (const [k, t] of this.v) if (s.v[logical(k)]) t.assign(tf.tensor(s.v[logical(k)], t.shape));
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
  }
}

/** Linear decay from lr0 at step 0 to 0 at `total` (as in the SN-GAN ResNet experiments). */
export function lrAt(lr0: number, decay: 'none' | 'linear', step: number, total: number): number {
  if (decay === 'none') return lr0;
  return lr0 * Math.max(0, 1 - step / Math.max(1, total));
}

export interface LrScheduleState {
  total: number;
  fromStep: number;
  fromLr: number;
}

/**
 * The LR over a run: constant, or linear from lr0 at step 0 to 0 at `total`. Extending the run (a larger total)
 * re-anchors the line at the current step and LR, so the LR never jumps; the anchor is checkpointed so a resumed
 * run follows the same line. (A run that already decayed to 0 stays at 0 when extended: nothing to continue from.)
 */
export class LrSchedule {
  private s: LrScheduleState;

  constructor(
    readonly lr0: number,
    readonly decay: 'none' | 'linear',
    total: number,
  ) {
    this.s = { total, fromStep: 0, fromLr: lr0 };
  }

  get total(): number {
    return this.s.total;
  }

  at(step: number): number {
    if (this.decay === 'none') return this.lr0;
    const { total, fromStep, fromLr } = this.s;
    return fromLr * Math.max(0, 1 - (step - fromStep) / Math.max(1, total - fromStep));
  }

  /** Make `total` the run length from `step` on; a shorter total is ignored. */
  extend(total: number, step: number): void {
    if (total <= this.s.total) return;
    this.s = step > 0 ? { total, fromStep: step, fromLr: this.at(step) } : { ...this.s, total };
  }

  getState(): LrScheduleState {
    return { ...this.s };
  }

  setState(s: LrScheduleState): void {
    this.s = { ...s };
  }
}

/** Exponential moving average of a set of variables (generator weights for sampling). */
export class Ema {
  readonly shadow = new Map<string, tf.Variable>();
  constructor(
    private vars: tf.Variable[],
    readonly decay: number,
  ) {
    for (const x of vars) {
      const c = x.clone();
      this.shadow.set(x.name, tf.variable(c, false, `${x.name}/ema`));
      c.dispose();
    }
  }

  update(): void {
    tf.tidy(() => this.updateWith(tf.scalar(this.decay), tf.scalar(1 - this.decay)));
  }

  /**
   * shadow ← keep·shadow + mix·x: (decay, 1 − decay) is an update, (0, 1) a reset to the live weights. One op shape
   * for both, so a compiled step takes them as inputs. Call inside a tidy.
   */
  updateWith(keep: tf.Tensor, mix: tf.Tensor): void {
    for (const x of this.vars) {
      const s = this.shadow.get(x.name)!;
      s.assign(tf.add(tf.mul(s, keep), tf.mul(x, mix)));
    }
  }

  /** Copy the live weights into the shadow (before EMA starts). */
  reset(): void {
    tf.tidy(() => {
      for (const x of this.vars) this.shadow.get(x.name)!.assign(x);
    });
  }

  async getState(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [k, t] of this.shadow) out[logical(k)] = (await t.data()) as Float32Array;
    return out;
  }

  setState(s: Record<string, Float32Array>): void {
    for (const [k, t] of this.shadow) if (s[logical(k)]) t.assign(tf.tensor(s[logical(k)], t.shape));
  }

  dispose(): void {
    for (const t of this.shadow.values()) t.dispose();
  }
}
