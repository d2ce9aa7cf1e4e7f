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
import { Augmenter, disposeAugTensors, type AdaState, type AugTensors, type HostTensor } from '../augment/index';
import { augOps, effectiveAugMode } from '../../../shared/small-data';
import { measureGauge, type Gauge } from './gauge';
import { CompiledRunner, type EngineInfo, type StepHost } from '../onnx-step/runner';
import { augOf, onehotRows, putAug, putFeed, scalarFeed, tensorsOf, type StepFeeds } from './feeds';

export interface DResult {
  dLoss: number;
  dReal: number;
  dFake: number;
  /** Σ sign(D(real)) over the batch (ADA's r_t). */
  signSum: number;
}

export interface DGrads {
  value: tf.Scalar;
  grads: Record<string, tf.Tensor>;
  dMeanReal: tf.Tensor;
  dMeanFake: tf.Tensor;
  signSum: tf.Tensor;
  gradAbs: tf.Scalar;
  /** SN's u and v as this update uses them ('record' only). */
  snAt: Record<string, tf.Tensor>;
}

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

export class Trainer implements StepHost {
  step = 0;
  readonly spec: ModelSpec;
  private readonly gNet: Generator;
  private readonly dNet: Discriminator;
  /** The compiled (onnxruntime) step; null with engine 'tfjs'. */
  private readonly compiled: CompiledRunner | null;
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
    /** Test hooks: make the compiled step fail to load, or fail at a step. */
    opts: { compiled?: { failCreate?: boolean; failRunAt?: number } } = {},
  ) {
    this.config = resolveForData(config, data.kind);
    config = this.config;
    this.spec = modelSpec(config, data.shape, data.hasLabels ? data.classes.length : 0);
    const initRng = Rng.derive(config.seed, 0);
    const { G, D } = buildModels(this.spec, initRng);
    this.gNet = G;
    this.dNet = D;
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
    this.compiled = config.engine === 'tfjs' ? null : new CompiledRunner(this, config.engine, config.threads, opts.compiled);
    const fr = Rng.derive(config.seed, 2);
    const n = data.kind === 'points' ? SAMPLE_POINTS : SAMPLE_GRID;
    this.fixedZ = tf.tensor(fr.normal(n * config.zdim), [n, config.zdim]);
    if (this.spec.classes > 0) {
      const lab = Int32Array.from({ length: n }, (_, i) => Math.floor((i * this.spec.classes) / n));
      this.fixedLabels = tf.oneHot(tf.tensor1d(lab, 'int32'), this.spec.classes).toFloat();
    }
  }

  /** The generator, its tfjs variables up to date (after compiled updates they are refreshed on access). */
  get G(): Generator {
    this.compiled?.syncToTfjs();
    return this.gNet;
  }

  /** The discriminator, its tfjs variables up to date. */
  get D(): Discriminator {
    this.compiled?.syncToTfjs();
    return this.dNet;
  }

  /** Which engine does the arithmetic of the step, and why (status, app.info). */
  get engine(): EngineInfo {
    return this.compiled?.info ?? { engine: 'tfjs', reason: "tfjs (engine 'tfjs')" };
  }

  private onehot(labels: Int32Array | undefined, n: number, rng: Rng): tf.Tensor | undefined {
    const h = this.onehotHost(labels, n, rng);
    return h && tf.tensor(h.data, h.shape);
  }

  /** One-hot class rows on the host (labels given, or drawn uniformly from `rng`); none when unconditional. */
  private onehotHost(labels: Int32Array | undefined, n: number, rng: Rng): HostTensor | undefined {
    return onehotRows(this.spec.classes, labels, n, rng);
  }

  private z(n: number, rng: Rng): tf.Tensor {
    return tf.tensor(rng.normal(n * this.config.zdim), [n, this.config.zdim]);
  }

  /**
   * Everything one D update draws on the host, in the trainer's RNG order (batch, z, classes, ε, augmentation), and
   * its optimiser scalars: the tfjs step makes tensors of these, a compiled step is fed them.
   */
  planD(): StepFeeds {
    const c = this.config;
    const n = c.batch;
    const f: StepFeeds = {};
    const batch = this.data.batch(n, this.rng, c.dequantize);
    f.real = { data: Float32Array.from(batch.x), shape: [n, ...this.data.shape] };
    f.z = { data: this.rng.normal(n * c.zdim), shape: [n, c.zdim] };
    putFeed(f, 'ohReal', this.onehotHost(batch.labels, n, this.rng));
    putFeed(f, 'ohFake', this.onehotHost(undefined, n, this.rng));
    if (c.d.norm === 'gp' || c.d.norm === 'sn+gp') f.eps = { data: this.rng.uniform(n, 0, 1), shape: [n] };
    // independent per-sample parameters for reals and fakes, drawn after everything else (off: none drawn)
    putAug(f, 'augR', this.aug.drawArrays(this.rng, n));
    putAug(f, 'augF', this.aug.drawArrays(this.rng, n));
    const h = this.optD.hyper();
    f.stepSize = scalarFeed(h.stepSize);
    f.epsHat = scalarFeed(h.epsHat);
    return f;
  }

  /** The G update's draws (its batch is genBatch: 2 × batch in the ResNet recipe) and scalars (Adam, EMA). */
  planG(): StepFeeds {
    const c = this.config;
    const nG = c.genBatch || c.batch;
    const f: StepFeeds = {};
    f.z = { data: this.rng.normal(nG * c.zdim), shape: [nG, c.zdim] };
    putFeed(f, 'oh', this.onehotHost(undefined, nG, this.rng));
    putAug(f, 'aug', this.aug.drawArrays(this.rng, nG));
    const h = this.optG.hyper();
    f.stepSize = scalarFeed(h.stepSize);
    f.epsHat = scalarFeed(h.epsHat);
    if (this.ema) {
      // before ema.start the shadow follows the weights: keep 0, mix 1 is a copy
      const on = this.step >= c.ema.start;
      f.emaKeep = scalarFeed(on ? this.ema.decay : 0);
      f.emaMix = scalarFeed(on ? 1 - this.ema.decay : 1);
    }
    return f;
  }

  /**
   * One D update's gradients from its feeds' tensors (u refreshed first in per-step mode). `diag`: 'measure' records
   * σ diagnostics of the weights this update uses (tfjs); 'record' returns SN's u and v at that point as tensors
   * (a compiled step's diagnostic outputs).
   */
  dGrads(t: Record<string, tf.Tensor>, diag: 'measure' | 'record' | 'none'): DGrads {
    const c = this.config;
    const perForward = c.sn.update === 'per-forward';
    const fake0 = tf.tidy(() => this.G.apply(t.z, t.ohFake));
    const real = this.aug.apply(t.real, augOf(t, 'augR', this.aug.ops));
    const fake = this.aug.apply(fake0, augOf(t, 'augF', this.aug.ops));
    if (!perForward) this.D.params.powerIterate();
    // σ(W̄) of the very weights this update uses: W_t against the u refreshed for W_t
    // (per-forward: against the u the real forward starts from, one iteration behind the one it uses)
    if (diag === 'measure') this.lastDiag = { step: this.step, layers: this.sigmaProbe.measure(this.D.params.kernels, this.D.params.vars) };
    const snAt: Record<string, tf.Tensor> = {};
    if (diag === 'record') {
      for (const k of this.D.params.kernels) {
        if (!k.sn) continue;
        snAt[`sn_u.${k.name}`] = tf.clone(k.sn.u);
        snAt[`sn_v.${k.name}`] = tf.clone(k.sn.v);
      }
    }
    const kept: { rm?: tf.Tensor; fm?: tf.Tensor; rs?: tf.Tensor } = {};
    const { value, grads } = this.dForwards(perForward, () => tf.variableGrads(() => {
      const lr_ = this.D.apply(real, t.ohReal);
      const lf = this.D.apply(fake, t.ohFake);
      kept.rm = tf.keep(tf.mean(lr_));
      kept.fm = tf.keep(tf.mean(lf));
      // ADA's overfitting heuristic r_t reads the sign of D on (augmented) reals
      kept.rs = tf.keep(tf.sum(tf.sign(lr_)));
      let loss = dLoss(c.loss, lr_, lf);
      if (t.eps) loss = tf.add(loss, gradientPenalty((x) => this.D.apply(x, t.ohReal), real, fake, t.eps, c.d.gpLambda));
      return loss as tf.Scalar;
    }, this.D.params.trainable()));
    const temps = [...new Set([fake0, real, fake])].filter((x) => x !== t.real);
    tf.dispose(temps);
    return { value, grads, dMeanReal: kept.rm!, dMeanFake: kept.fm!, signSum: kept.rs!, gradAbs: absSum(grads), snAt };
  }

  /** Apply D's gradients (Adam with the fed scalars, then weight clipping where configured). */
  dApply(grads: Record<string, tf.Tensor>, t: Record<string, tf.Tensor>): void {
    tf.tidy(() => this.optD.applyWith(grads, t.stepSize, t.epsHat));
    if (this.config.d.norm === 'clip') clipWeights(this.D.params.trainable(), this.config.d.clip);
  }

  /** The G update's gradients: through D (u refreshed there too, as PyTorch and Chainer do) and the augmentation. */
  gGrads(t: Record<string, tf.Tensor>): { value: tf.Scalar; grads: Record<string, tf.Tensor>; gradAbs: tf.Scalar } {
    const c = this.config;
    const perForward = c.sn.update === 'per-forward';
    // D runs a training forward in the G update too: refresh u there as well, as
    // torch.nn.utils.spectral_norm and Chainer's SNGAN do on every training-mode call of D.
    if (!perForward) this.D.params.powerIterate();
    const { value, grads } = this.dForwards(perForward, () =>
      // through the augmentation to G: DiffAugment's point (the same ops on fakes in the G step as in D's)
      tf.variableGrads(() => gLoss(c.loss, this.D.apply(this.aug.apply(this.G.apply(t.z, t.oh), augOf(t, 'aug', this.aug.ops)), t.oh)), this.G.params.trainable()),
    );
    return { value, grads, gradAbs: absSum(grads) };
  }

  /** Apply G's gradients, then move the EMA shadow (keep/mix fed: a copy before ema.start). */
  gApply(grads: Record<string, tf.Tensor>, t: Record<string, tf.Tensor>): void {
    tf.tidy(() => {
      this.optG.applyWith(grads, t.stepSize, t.epsHat);
      if (this.ema) this.ema.updateWith(t.emaKeep, t.emaMix);
    });
  }

  /**
   * One training iteration on tfjs. Throws NonFiniteError (before applying the bad update) on NaN/Inf.
   * `wantDiag`: also record σ diagnostics and gradient norms of the last D update.
   */
  trainStep(wantDiag = false): StepLosses {
    // tfjs computes this step: it must start from the latest state, and is the truth after it
    this.compiled?.invalidate();
    this.beginIteration();
    let d: DResult = { dLoss: 0, dReal: 0, dFake: 0, signSum: 0 };
    for (let k = 0; k < this.ndis; k++) {
      d = this.dUpdateTfjs(this.planD(), wantDiag && k === this.ndis - 1);
      this.aug.ada.push(d.signSum, this.config.batch);
    }
    const gl = this.gUpdateTfjs(this.planG());
    this.endIteration();
    return { dLoss: d.dLoss, gLoss: gl, dReal: d.dReal, dFake: d.dFake };
  }

  /**
   * One training iteration on the configured engine: compiled (onnxruntime) updates where they are on, tfjs otherwise
   * or for any update the compiled step hands back. Same RNG draws, same NaN guard as trainStep.
   */
  async advance(wantDiag = false): Promise<StepLosses> {
    const run = this.compiled;
    if (!run?.active) return this.trainStep(wantDiag);
    this.beginIteration();
    let d: DResult = { dLoss: 0, dReal: 0, dFake: 0, signSum: 0 };
    for (let k = 0; k < this.ndis; k++) {
      const diag = wantDiag && k === this.ndis - 1;
      const feeds = this.planD();
      const out = await run.update('D', feeds, this.step, diag ? 'all' : []);
      if (out.kind === 'compiled') {
        if (!out.traced) this.optD.t += 1;
        if (diag) this.recordCompiledDiag(out.before, out.results);
        d = pick(out.results);
      } else if (out.kind === 'tfjs-done') d = pick(out.results);
      else d = this.redo(() => this.dUpdateTfjs(feeds, diag));
      this.aug.ada.push(d.signSum, this.config.batch);
    }
    const feeds = this.planG();
    const out = await run.update('G', feeds, this.step);
    let gl: number;
    if (out.kind === 'compiled') {
      if (!out.traced) this.optG.t += 1;
      gl = out.results.gLoss[0];
    } else if (out.kind === 'tfjs-done') gl = out.results.gLoss[0];
    else gl = this.redo(() => this.gUpdateTfjs(feeds));
    this.endIteration();
    return { dLoss: d.dLoss, gLoss: gl, dReal: d.dReal, dFake: d.dFake };
  }

  /** An update the compiled step handed back, on tfjs (which then holds the truth). A NonFiniteError passes through. */
  private redo<T>(f: () => T): T {
    const run = this.compiled!;
    const wasActive = run.active;
    run.syncToTfjs();
    const r = f();
    // tfjs succeeded where the compiled update gave a non-finite loss: tfjs from here on
    if (wasActive && run.active) run.disagreeOnFinite(this.step);
    run.invalidate();
    return r;
  }

  /** σ diagnostics of a compiled D update: the weights it started from and the SN vectors it used, measured on tfjs. */
  private recordCompiledDiag(before: Map<string, HostTensor>, r: Record<string, Float32Array>): void {
    const p = this.dNet.params;
    tf.tidy(() => {
      for (const k of p.kernels) {
        const v = p.vars.get(k.kernel)!;
        const w = before.get(v.name);
        if (w) v.assign(tf.tensor(w.data, w.shape));
        if (k.sn && r[`sn_u.${k.name}`]) {
          k.sn.u.assign(tf.tensor(r[`sn_u.${k.name}`], k.sn.u.shape));
          k.sn.v.assign(tf.tensor(r[`sn_v.${k.name}`], k.sn.v.shape));
        }
      }
    });
    // (the tfjs variables are refreshed from the host state on their next read)
    this.compiled?.noteTfjs();
    this.lastDiag = { step: this.step, layers: this.sigmaProbe.measure(p.kernels, p.vars) };
    this.lastGradNorms.clear();
    for (const k of p.kernels) if (r[`gradNorm.${k.name}`]) this.lastGradNorms.set(k.name, r[`gradNorm.${k.name}`][0]);
  }

  /** StepHost: one D update on tfjs with the compiled step's outputs as tensors (traced once by the runner). */
  tracedD(t: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const g = this.dGrads(t, 'record');
    const norms: Record<string, tf.Tensor> = {};
    for (const k of this.dNet.params.kernels) {
      const gk = g.grads[this.dNet.params.vars.get(k.kernel)!.name];
      if (gk) norms[`gradNorm.${k.name}`] = tf.norm(gk);
    }
    this.dApply(g.grads, t);
    tf.dispose(Object.values(g.grads));
    return { dLoss: g.value, dReal: g.dMeanReal, dFake: g.dMeanFake, signSum: g.signSum, gradAbs: g.gradAbs, ...g.snAt, ...norms };
  }

  /** StepHost: the G update on tfjs, traced once. */
  tracedG(t: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const g = this.gGrads(t);
    this.gApply(g.grads, t);
    tf.dispose(Object.values(g.grads));
    return { gLoss: g.value, gradAbs: g.gradAbs };
  }

  private beginIteration(): void {
    const lr = this.schedule.at(this.step);
    this.optD.lr = lr;
    this.optG.lr = lr;
  }

  private endIteration(): void {
    this.emaStats?.invalidate();
    this.step += 1;
  }

  /** One D update on tfjs from its feeds; checks loss and gradients before applying them. */
  dUpdateTfjs(feeds: StepFeeds, wantDiag: boolean): DResult {
    const t = tensorsOf(feeds);
    const g = this.dGrads(t, wantDiag ? 'measure' : 'none');
    const [lv, rv, fv, sv, ga] = [g.value, g.dMeanReal, g.dMeanFake, g.signSum, g.gradAbs].map((x) => x.dataSync()[0]);
    tf.dispose([g.value, g.dMeanReal, g.dMeanFake, g.signSum, g.gradAbs]);
    if (!Number.isFinite(lv) || !Number.isFinite(ga)) {
      const layer = this.findNonFinite(this.D.params.trainable(), g.grads);
      tf.dispose([...Object.values(g.grads), ...Object.values(t)]);
      throw new NonFiniteError(this.step, layer, 'discriminator loss or gradient');
    }
    if (wantDiag) this.recordGradNorms(g.grads);
    this.dApply(g.grads, t);
    tf.dispose([...Object.values(g.grads), ...Object.values(t)]);
    return { dLoss: lv, dReal: rv, dFake: fv, signSum: sv };
  }

  /** The G update on tfjs from its feeds; checks loss and gradients (of G and, for the name, D) before applying. */
  gUpdateTfjs(feeds: StepFeeds): number {
    const t = tensorsOf(feeds);
    const g = this.gGrads(t);
    const [gl, ga] = [g.value, g.gradAbs].map((x) => x.dataSync()[0]);
    tf.dispose([g.value, g.gradAbs]);
    if (!Number.isFinite(gl) || !Number.isFinite(ga)) {
      const layer = this.findNonFinite([...this.G.params.trainable(), ...this.D.params.trainable()], g.grads);
      tf.dispose([...Object.values(g.grads), ...Object.values(t)]);
      throw new NonFiniteError(this.step, layer, 'generator loss or gradient');
    }
    this.gApply(g.grads, t);
    tf.dispose([...Object.values(g.grads), ...Object.values(t)]);
    return gl;
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
    this.syncWeights();
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
    this.syncWeights();
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
    const zs = r.normal(n * this.config.zdim);
    const oh = this.onehotHost(undefined, n, r);
    // in chunks (inference: BN on fixed statistics, so each sample is the same whatever the chunk): 5,000 images of
    // 32×32 in one batch would need gigabytes of activations
    const chunk = 256;
    let out: Float32Array | null = null;
    for (let first = 0; first < n; first += chunk) {
      const k = Math.min(chunk, n - first);
      const z = tf.tensor(zs.subarray(first * this.config.zdim, (first + k) * this.config.zdim), [k, this.config.zdim]);
      const o = oh ? tf.tensor(oh.data.subarray(first * oh.shape[1], (first + k) * oh.shape[1]), [k, oh.shape[1]]) : undefined;
      const t = this.withEma(() => this.G.apply(z, o));
      const part = (await t.data()) as Float32Array;
      out ??= new Float32Array((part.length / k) * n);
      out.set(part, (part.length / k) * first);
      tf.dispose([t, z, o ?? []]);
    }
    return out ?? new Float32Array(0);
  }

  /**
   * Inference: batch norm on running statistics — the trained weights' own, or for EMA weights the standing
   * statistics of the EMA weights (standing-stats.ts) — so each latent maps to one output whatever the batch.
   */
  private withEma(f: () => tf.Tensor): tf.Tensor {
    this.syncWeights();
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
    this.syncWeights();
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
    this.syncWeights();
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
    // the restored tfjs variables are the truth: a compiled step reads its state from them next
    this.compiled?.invalidate();
    return notes;
  }

  /** Bring the tfjs variables up to date with the compiled step's state (anything that reads them calls this). */
  syncWeights(): void {
    this.compiled?.syncToTfjs();
  }

  dispose(): void {
    void this.compiled?.dispose();
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

/** Σ|g| over every gradient: one scalar whose finiteness is the NaN guard's test. */
function absSum(grads: Record<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => tf.addN(Object.values(grads).map((g) => tf.sum(tf.abs(g)))) as tf.Scalar);
}

const pick = (r: Record<string, Float32Array>): DResult => ({ dLoss: r.dLoss[0], dReal: r.dReal[0], dFake: r.dFake[0], signSum: r.signSum[0] });

/** Checkpoint variables (weights, not BN statistics) that none of these networks has. */
function staleParams(vars: Record<string, Float32Array>, nets: { vars: Map<string, tf.Variable>; stats: Map<string, tf.Variable> }[]): string[] {
  const known = new Set(nets.flatMap((p) => [...p.vars.keys(), ...p.stats.keys()]));
  return Object.keys(vars).filter((k) => !known.has(k));
}

export function layerOf(varName: string): string {
  return logical(varName).replace(/\/(kernel|bias|gamma|beta)$/, '');
}
