/**
 * One GAN: models, optimisers, seeded RNG, and the training step (n_dis D updates, then one G update).
 * Everything that decides the next step lives here and in getState()/setState(), so a restored
 * trainer continues bit-for-bit.
 */
import * as tf from '@tensorflow/tfjs';
import { resolveForData, resolveOptim, type ResolvedConfig, type TrainConfig } from '../../../shared/config';
import type { LayerDiag } from '../../../shared/events';
import { buildModels, modelSpec, type Discriminator, type Generator, type ModelSpec } from '../models/index';
import { Adam, Ema, LrSchedule } from '../optim';
import { StandingStats } from './standing-stats';
import { Rng } from './rng';
import type { DataSource } from './data';
import { UpdateDiag } from './update-diag';
import { Augmenter, disposeAugTensors, type HostTensor } from '../augment/index';
import { augOps, effectiveAugMode } from '../../../shared/small-data';
import { measureGauge, type Gauge } from './gauge';
import { CompiledRunner, type EngineInfo, type StepHost } from '../onnx-step/runner';
import { onehotRows, type StepFeeds } from './feeds';
import { planD, planG, type PlanHost } from './plan';
import { firstNonFiniteLayer } from './nan-guard';
import { readVars, writeVars, type TrainerState } from './state';
import { Updates, type DResult, type UpdateHost } from './updates';

import { generateInChunks, inference } from './sampling';

export interface StepLosses {
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
}

export const SAMPLE_GRID = 64;
export const SAMPLE_POINTS = 1000;

export class Trainer implements StepHost, UpdateHost, PlanHost {
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
  /** σ and gradient norms of the last logged D update (Diagnostics). */
  private readonly diag = new UpdateDiag();
  /** The tensor math of the D and G updates. */
  private readonly updates: Updates;

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
    this.updates = new Updates(this, this.diag.probe);
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

  /** One-hot class rows on the host (labels given, or drawn uniformly from `rng`); none when unconditional. */
  private onehotHost(labels: Int32Array | undefined, n: number, rng: Rng): HostTensor | undefined {
    return onehotRows(this.spec.classes, labels, n, rng);
  }

  /** Everything one D update draws on the host, and its optimiser scalars (plan.ts). */
  planD(): StepFeeds {
    return planD(this);
  }

  /** The G update's draws and scalars (plan.ts). */
  planG(): StepFeeds {
    return planG(this);
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
    this.diag.measureAt(this.step, p);
    this.diag.gradNormsFrom(p, r);
  }

  /** StepHost: one D update on tfjs with the compiled step's outputs as tensors (traced once by the runner). */
  tracedD(t: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    return this.updates.tracedD(t);
  }

  /** StepHost: the G update on tfjs, traced once. */
  tracedG(t: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    return this.updates.tracedG(t);
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

  /** One D update on tfjs from its feeds, NaN-guarded (updates.ts). */
  dUpdateTfjs(feeds: StepFeeds, wantDiag: boolean): DResult {
    return this.updates.guardedD(feeds, this.step, wantDiag ? this.diag : null);
  }

  /** The G update on tfjs from its feeds, NaN-guarded. */
  gUpdateTfjs(feeds: StepFeeds): number {
    return this.updates.guardedG(feeds, this.step);
  }

  /** Lengthen the run to `total` steps from the current one, keeping the LR continuous. */
  extendTo(total: number): void {
    this.schedule.extend(total, this.step);
  }

  /** Scan every weight for NaN/Inf (before writing a checkpoint). Returns the first bad layer or null. */
  nonFiniteWeights(): string | null {
    this.syncWeights();
    return firstNonFiniteLayer([...this.G.params.trainable(), ...this.D.params.trainable()]);
  }

  /**
   * Per-D-layer σ of raw W, σ of the weight in use, last gradient norm; and the product bound.
   * After a trainStep(true) these describe the weights that step's last D update used; otherwise
   * (e.g. before any training) the current weights.
   */
  diagnostics(): { layers: LayerDiag[]; lipschitzBound: number } {
    this.syncWeights();
    return this.diag.report(this.step, this.D.params);
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
    if (t) disposeAugTensors(t);
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
    return generateInChunks(n, this.config.zdim, zs, oh, (z, o) => this.withEma(() => this.G.apply(z, o)));
  }

  /** G in inference mode (sampling.ts): the EMA weights and their own BN statistics when EMA is on. */
  private withEma(f: () => tf.Tensor): tf.Tensor {
    this.syncWeights();
    return inference(this.G, this.ema, this.emaStats?.current(this.step) ?? null, f);
  }

  async getState(): Promise<TrainerState> {
    this.syncWeights();
    const vars = await readVars([this.G.params, this.D.params], this.G.params);
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
    // checkpoints written before running statistics existed keep the initial ones
    const notes = writeVars([this.G.params, this.D.params], this.G.params, s.vars);
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

const pick = (r: Record<string, Float32Array>): DResult => ({ dLoss: r.dLoss[0], dReal: r.dReal[0], dFake: r.dFake[0], signSum: r.signSum[0] });
