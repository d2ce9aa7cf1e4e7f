/**
 * One GAN: models, optimisers, seeded RNG, and the training step (n_dis D updates, then one G update).
 * Everything that decides the next step lives here and in getState()/setState(), so a restored
 * trainer continues bit-for-bit.
 */
import * as tf from '@tensorflow/tfjs';
import { resolveForData, resolveOptim, type ResolvedConfig, type TrainConfig } from '../../../shared/config';
import type { LayerDiag } from '../../../shared/events';
import { logical } from '../models/params';
import { buildModels, modelSpec, type Discriminator, type Generator, type ModelSpec } from '../models/index';
import { dLoss, gLoss } from '../losses';
import { clipWeights, gradientPenalty } from '../regularizers';
import { Adam, Ema, LrSchedule, type AdamState, type LrScheduleState } from '../optim';
import { StandingStats } from './standing-stats';
import { Rng, type RngState } from './rng';
import type { DataSource } from './data';
import { SigmaProbe } from './diagnostics';
import { Augmenter, disposeAugTensors, type AdaState, type AugTensors } from '../augment/index';
import { augOps, effectiveAugMode } from '../../../shared/small-data';
import { measureGauge, type Gauge } from './gauge';

export interface StepLosses {
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
}

export class NonFiniteError extends Error {
  readonly code = 'non_finite';
  constructor(
    readonly step: number,
    readonly layer: string,
    what: string,
  ) {
    super(`non-finite ${what} at step ${step} (layer ${layer})`);
    this.name = 'NonFiniteError';
  }
}

export interface TrainerState {
  step: number;
  rng: RngState;
  vars: Record<string, Float32Array>;
  sn: Record<string, { u: Float32Array; v: Float32Array }>;
  adamG: AdamState;
  adamD: AdamState;
  ema?: Record<string, Float32Array>;
  /** BN statistics of the EMA weights (standing-statistics pass), so EMA samples are per-latent deterministic. */
  emaStats?: Record<string, Float32Array>;
  /** The LR line (absent in checkpoints written before runs could be extended without a jump). */
  lr?: LrScheduleState;
  /** ADA's p and r_t window (absent in checkpoints written before augmentation existed). */
  aug?: AdaState;
}

export const SAMPLE_GRID = 64;
export const SAMPLE_POINTS = 1000;

export class Trainer {
  step = 0;
  readonly spec: ModelSpec;
  readonly G: Generator;
  readonly D: Discriminator;
  readonly optG: Adam;
  readonly optD: Adam;
  readonly ema: Ema | null;
  readonly rng: Rng;
  readonly ndis: number;
  readonly lr0: number;
  /** LR over the run; `extendTo` lengthens it without a jump. */
  readonly schedule: LrSchedule;
  /** The EMA weights' own BN statistics (null without EMA). */
  private readonly emaStats: StandingStats | null;
  private fixedZ: tf.Tensor;
  private fixedLabels: tf.Tensor | undefined;
  private lastGradNorms: Map<string, number> = new Map();
  private readonly sigmaProbe = new SigmaProbe();
  /** σ diagnostics of the weights used by the last D update of a logged step (see trainStep). */
  private lastDiag: { step: number; layers: LayerDiag[] } | null = null;

  readonly config: ResolvedConfig;
  /** Augmentation of real and fake images in every D and G step (mode 'off': nothing drawn, nothing applied). */
  readonly aug: Augmenter;

  constructor(
    config: TrainConfig,
    readonly data: DataSource,
  ) {
    this.config = resolveForData(config, data.kind);
    config = this.config;
    this.spec = modelSpec(config, data.shape, data.hasLabels ? data.classes.length : 0);
    const initRng = Rng.derive(config.seed, 0);
    const { G, D } = buildModels(this.spec, initRng);
    this.G = G;
    this.D = D;
    const o = resolveOptim(config);
    this.ndis = o.ndis;
    this.lr0 = o.lr;
    this.schedule = new LrSchedule(o.lr, this.config.lrDecay, config.steps);
    this.optG = new Adam(G.params.trainable(), o.lr, o.beta1, o.beta2);
    this.optD = new Adam(D.params.trainable(), o.lr, o.beta1, o.beta2);
    this.ema = config.ema.enabled ? new Ema(G.params.trainable(), config.ema.decay) : null;
    this.emaStats = this.ema && G.params.stats.size > 0 ? new StandingStats(G, this.ema, Rng.derive(config.seed, 4), config.batch) : null;
    this.rng = Rng.derive(config.seed, 1);
    const [h, w] = data.kind === 'images' ? data.shape : [1, 1];
    this.aug = new Augmenter(effectiveAugMode(config, data.kind, data.count ?? 0), augOps(config.aug.policy), config.aug, h, w);
    const fr = Rng.derive(config.seed, 2);
    const n = data.kind === 'points' ? SAMPLE_POINTS : SAMPLE_GRID;
    this.fixedZ = tf.tensor(fr.normal(n * config.zdim), [n, config.zdim]);
    if (this.spec.classes > 0) {
      const lab = Int32Array.from({ length: n }, (_, i) => Math.floor((i * this.spec.classes) / n));
      this.fixedLabels = tf.oneHot(tf.tensor1d(lab, 'int32'), this.spec.classes).toFloat();
    }
  }

  private onehot(labels: Int32Array | undefined, n: number, rng: Rng): tf.Tensor | undefined {
    const K = this.spec.classes;
    if (K === 0) return undefined;
    const lab = labels ?? Int32Array.from({ length: n }, () => rng.int(K));
    return tf.tidy(() => tf.oneHot(tf.tensor1d(lab, 'int32'), K).toFloat());
  }

  private z(n: number, rng: Rng): tf.Tensor {
    return tf.tensor(rng.normal(n * this.config.zdim), [n, this.config.zdim]);
  }

  /**
   * One training iteration. Throws NonFiniteError (before applying the bad update) on NaN/Inf.
   * `wantDiag`: also record σ diagnostics and gradient norms of the last D update.
   */
  trainStep(wantDiag = false): StepLosses {
    const c = this.config;
    const n = c.batch;
    const lr = this.schedule.at(this.step);
    this.optD.lr = lr;
    this.optG.lr = lr;
    const gp = c.d.norm === 'gp' || c.d.norm === 'sn+gp';
    const dVars = this.D.params.trainable();
    // sn.update: 'per-step' refreshes u once before each D update (and the G step); 'per-forward' on every D forward
    const perForward = c.sn.update === 'per-forward';
    let dl = 0;
    let dReal = 0;
    let dFake = 0;
    for (let k = 0; k < this.ndis; k++) {
      const batch = this.data.batch(n, this.rng, c.dequantize);
      const zD = this.z(n, this.rng);
      const ohReal = this.onehot(batch.labels, n, this.rng);
      const ohFake = this.onehot(undefined, n, this.rng);
      const eps = gp ? tf.tensor1d(this.rng.uniform(n, 0, 1)) : null;
      // independent per-sample parameters for reals and fakes, drawn after everything else (off: none drawn)
      const augR = this.aug.draw(this.rng, n);
      const augF = this.aug.draw(this.rng, n);
      const real0 = tf.tensor(batch.x, [n, ...this.data.shape]);
      const fake0 = tf.tidy(() => this.G.apply(zD, ohFake));
      const real = this.aug.apply(real0, augR);
      const fake = this.aug.apply(fake0, augF);
      if (!perForward) this.D.params.powerIterate();
      // σ(W̄) of the very weights this update uses: W_t against the u refreshed for W_t
      // (per-forward: against the u the real forward starts from, one iteration behind the one it uses)
      if (wantDiag && k === this.ndis - 1) this.lastDiag = { step: this.step, layers: this.sigmaProbe.measure(this.D.params.kernels, this.D.params.vars) };
      const kept: { rm?: tf.Tensor; fm?: tf.Tensor; rs?: tf.Tensor } = {};
      const { value, grads } = this.dForwards(perForward, () => tf.variableGrads(() => {
        const lr_ = this.D.apply(real, ohReal);
        const lf = this.D.apply(fake, ohFake);
        kept.rm = tf.keep(tf.mean(lr_));
        kept.fm = tf.keep(tf.mean(lf));
        // ADA's overfitting heuristic r_t reads the sign of D on (augmented) reals
        kept.rs = tf.keep(tf.sum(tf.sign(lr_)));
        let loss = dLoss(c.loss, lr_, lf);
        if (eps) loss = tf.add(loss, gradientPenalty((x) => this.D.apply(x, ohReal), real, fake, eps, c.d.gpLambda));
        return loss as tf.Scalar;
      }, dVars));
      const [lv, rv, fv, sv] = [value.dataSync()[0], kept.rm!.dataSync()[0], kept.fm!.dataSync()[0], kept.rs!.dataSync()[0]];
      tf.dispose([...new Set([zD, real0, fake0, real, fake]), value, kept.rm!, kept.fm!, kept.rs!, eps ?? [], ohReal ?? [], ohFake ?? []]);
      disposeAug(augR, augF);
      if (!Number.isFinite(lv) || !gradsFinite(grads)) {
        const layer = this.findNonFinite(this.D.params.trainable(), grads);
        tf.dispose(grads);
        throw new NonFiniteError(this.step, layer, 'discriminator loss or gradient');
      }
      if (wantDiag && k === this.ndis - 1) this.recordGradNorms(grads);
      this.aug.ada.push(sv, n);
      this.optD.apply(grads);
      tf.dispose(grads);
      if (c.d.norm === 'clip') clipWeights(dVars, c.d.clip);
      dl = lv;
      dReal = rv;
      dFake = fv;
    }

    // the G step's batch: genBatch (2 × batch in the ResNet recipe, as n_gen_samples: 128 at batch 64)
    const nG = c.genBatch || n;
    const zG = this.z(nG, this.rng);
    const ohG = this.onehot(undefined, nG, this.rng);
    const augG = this.aug.draw(this.rng, nG);
    // D runs a training forward in the G update too: refresh u there as well, as
    // torch.nn.utils.spectral_norm and Chainer's SNGAN do on every training-mode call of D.
    if (!perForward) this.D.params.powerIterate();
    const { value, grads } = this.dForwards(perForward, () =>
      // through the augmentation to G: DiffAugment's point (the same ops on fakes in the G step as in D's)
      tf.variableGrads(() => gLoss(c.loss, this.D.apply(this.aug.apply(this.G.apply(zG, ohG), augG), ohG)), this.G.params.trainable()),
    );
    const gl = value.dataSync()[0];
    tf.dispose([zG, value, ohG ?? []]);
    disposeAug(augG);
    if (!Number.isFinite(gl) || !gradsFinite(grads)) {
      const layer = this.findNonFinite([...this.G.params.trainable(), ...dVars], grads);
      tf.dispose(grads);
      throw new NonFiniteError(this.step, layer, 'generator loss or gradient');
    }
    this.optG.apply(grads);
    tf.dispose(grads);
    if (this.ema) {
      if (this.step < c.ema.start) this.ema.reset();
      else this.ema.update();
      this.emaStats?.invalidate();
    }
    this.step += 1;
    return { dLoss: dl, gLoss: gl, dReal, dFake };
  }

  /** Run f with D's kernels refreshing u on every read when `perForward` (training-mode forwards only). */
  private dForwards<T>(perForward: boolean, f: () => T): T {
    this.D.params.snRefresh = perForward;
    try {
      return f();
    } finally {
      this.D.params.snRefresh = false;
    }
  }

  /** Lengthen the run to `total` steps from the current one, keeping the LR continuous. */
  extendTo(total: number): void {
    this.schedule.extend(total, this.step);
  }

  private recordGradNorms(grads: Record<string, tf.Tensor>): void {
    this.lastGradNorms.clear();
    for (const k of this.D.params.kernels) {
      const g = grads[this.D.params.vars.get(k.kernel)!.name];
      if (g) this.lastGradNorms.set(k.name, tf.tidy(() => tf.norm(g).dataSync()[0]));
    }
  }

  /** Name the first layer whose weights (then gradients) hold NaN/Inf. */
  private findNonFinite(vars: tf.Variable[], grads: Record<string, tf.Tensor>): string {
    const bad = (t: tf.Tensor) => tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(t))).dataSync()[0] === 1);
    for (const v of vars) if (bad(v)) return layerOf(v.name);
    for (const v of vars) if (grads[v.name] && bad(grads[v.name])) return layerOf(v.name);
    return 'unknown';
  }

  /** Scan every weight for NaN/Inf (before writing a checkpoint). Returns the first bad layer or null. */
  nonFiniteWeights(): string | null {
    for (const v of [...this.G.params.trainable(), ...this.D.params.trainable()]) {
      const bad = tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(v))).dataSync()[0] === 1);
      if (bad) return layerOf(v.name);
    }
    return null;
  }

  /**
   * Per-D-layer σ of raw W, σ of the weight in use, last gradient norm; and the product bound.
   * After a trainStep(true) these describe the weights that step's last D update used; otherwise
   * (e.g. before any training) the current weights.
   */
  diagnostics(): { layers: LayerDiag[]; lipschitzBound: number } {
    const recorded = this.lastDiag && this.lastDiag.step === this.step - 1 ? this.lastDiag.layers : null;
    const layers = (recorded ?? this.sigmaProbe.measure(this.D.params.kernels, this.D.params.vars))
      .map((l) => ({ ...l, gradNorm: this.lastGradNorms.get(l.name) ?? 0 }));
    const lipschitzBound = layers.reduce((a, l) => a * l.sigmaBar, 1);
    return { layers, lipschitzBound };
  }

  /**
   * The overfitting gauge: D's mean output, un-augmented and without refreshing u, on training images vs on the
   * held-out slice; null without one. Its batches come from an RNG derived from (seed, step): the training RNG is untouched.
   */
  gauge(): Gauge | null {
    return measureGauge(this, Rng.derive(this.config.seed ^ Math.imul(this.step, 0x9e3779b1), 7));
  }

  /** A batch of augmented training images as D sees them now (current p), for the Samples view; training RNG untouched. */
  async augmentedReals(n: number): Promise<{ data: Float32Array; shape: number[] }> {
    const r = Rng.derive(this.config.seed ^ Math.imul(this.step, 0x85ebca6b), 8);
    const real = tf.tensor(this.data.batch(n, r).x, [n, ...this.data.shape]);
    const t = this.aug.draw(r, n);
    const out = this.aug.apply(real, t);
    const data = (await out.data()) as Float32Array;
    const shape = out.shape;
    tf.dispose([...new Set([real, out])]);
    disposeAug(t);
    return { data, shape };
  }

  /** Generator output on the fixed latent batch (EMA weights when enabled), as host floats. */
  async sample(): Promise<{ data: Float32Array; shape: number[] }> {
    const t = this.withEma(() => this.G.apply(this.fixedZ, this.fixedLabels));
    const data = (await t.data()) as Float32Array;
    const shape = t.shape;
    t.dispose();
    return { data, shape };
  }

  /** n fresh generator samples from an RNG derived from (seed, step), not touching the training RNG. */
  async generate(n: number, stream = 3): Promise<Float32Array> {
    const r = Rng.derive(this.config.seed ^ (this.step * 7919), stream);
    const z = this.z(n, r);
    const oh = this.onehot(undefined, n, r);
    const t = this.withEma(() => this.G.apply(z, oh));
    const out = (await t.data()) as Float32Array;
    tf.dispose([t, z, oh ?? []]);
    return out;
  }

  /**
   * Inference: batch norm on running statistics — the trained weights' own, or for EMA weights the standing
   * statistics of the EMA weights (standing-stats.ts) — so each latent maps to one output whatever the batch.
   */
  private withEma(f: () => tf.Tensor): tf.Tensor {
    const p = this.G.params;
    const stats = this.emaStats?.current(this.step) ?? null;
    if (this.ema) p.override = new Map([...this.ema.shadow].map(([k, v]) => [logical(k), v as tf.Tensor]));
    p.statsOverride = stats;
    p.bnMode = 'eval';
    try {
      return tf.tidy(f);
    } finally {
      p.override = null;
      p.statsOverride = null;
      p.bnMode = 'train';
    }
  }

  async getState(): Promise<TrainerState> {
    const vars: Record<string, Float32Array> = {};
    for (const v of [...this.G.params.trainable(), ...this.D.params.trainable(), ...this.G.params.stats.values()]) {
      vars[logical(v.name)] = (await v.data()) as Float32Array;
    }
    const sn: TrainerState['sn'] = {};
    for (const k of this.D.params.kernels) if (k.sn) sn[k.name] = k.sn.getState();
    return {
      step: this.step,
      rng: this.rng.getState(),
      vars,
      sn,
      adamG: await this.optG.getState(),
      adamD: await this.optD.getState(),
      ema: this.ema ? await this.ema.getState() : undefined,
      emaStats: this.emaStats ? await this.emaStats.getState(this.step) : undefined,
      lr: this.schedule.getState(),
      aug: this.aug.ada.getState(),
    };
  }

  /**
   * Restore a checkpoint. Returns notes on what was skipped: parameters the model no longer has (e.g. the bias
   * older projection discriminators carried on their class embedding, which SN did not cover) are ignored.
   */
  setState(s: TrainerState): string[] {
    const notes = staleParams(s.vars, [this.G.params, this.D.params]).map(
      (k) => `checkpoint entry ${k} ignored: this model has no such parameter (a bias SN did not cover was removed; D re-adapts in a few steps)`,
    );
    for (const v of [...this.G.params.trainable(), ...this.D.params.trainable()]) {
      const d = s.vars[logical(v.name)];
      if (!d) throw new Error(`checkpoint lacks ${logical(v.name)} (different architecture?)`);
      if (d.length !== v.size) throw new Error(`checkpoint ${logical(v.name)} has ${d.length} values, model needs ${v.size}`);
      tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
    }
    for (const v of this.G.params.stats.values()) {
      // checkpoints written before running statistics existed keep the initial ones
      const d = s.vars[logical(v.name)];
      if (d && d.length === v.size) tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
    }
    for (const k of this.D.params.kernels) {
      if (!k.sn) continue;
      const st = s.sn[k.name];
      if (!st) throw new Error(`checkpoint lacks SN state for ${k.name}`);
      k.sn.setState(st);
    }
    this.optG.setState(s.adamG);
    this.optD.setState(s.adamD);
    if (this.ema && s.ema) this.ema.setState(s.ema);
    this.rng.setState(s.rng);
    this.step = s.step;
    // an older checkpoint's LR line is the configured one; its EMA statistics are recomputed on first use
    this.schedule.setState(s.lr ?? new LrSchedule(this.lr0, this.config.lrDecay, this.config.steps).getState());
    this.emaStats?.setState(s.emaStats, s.step);
    if (s.aug) this.aug.ada.setState(s.aug);
    return notes;
  }

  dispose(): void {
    this.G.params.dispose();
    this.D.params.dispose();
    this.optG.dispose();
    this.optD.dispose();
    this.ema?.dispose();
    this.emaStats?.dispose();
    tf.dispose([this.fixedZ, this.fixedLabels ?? []]);
  }
}

function disposeAug(...ts: (AugTensors | null)[]): void {
  for (const t of ts) if (t) disposeAugTensors(t);
}

/** One reduction and one read: are all gradients finite? */
function gradsFinite(grads: Record<string, tf.Tensor>): boolean {
  return tf.tidy(() => {
    const sums = Object.values(grads).map((g) => tf.sum(tf.abs(g)));
    return Number.isFinite(tf.addN(sums).dataSync()[0]);
  });
}

/** Checkpoint variables (weights, not BN statistics) that none of these networks has. */
function staleParams(vars: Record<string, Float32Array>, nets: { vars: Map<string, tf.Variable>; stats: Map<string, tf.Variable> }[]): string[] {
  const known = new Set(nets.flatMap((p) => [...p.vars.keys(), ...p.stats.keys()]));
  return Object.keys(vars).filter((k) => !known.has(k));
}

export function layerOf(varName: string): string {
  return logical(varName).replace(/\/(kernel|bias|gamma|beta)$/, '');
}
