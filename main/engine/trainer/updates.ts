/**
 * The tensor math of one D update and one G update: gradients from the step's fed tensors, then Adam (and the EMA,
 * weight clipping). The tfjs step runs these directly; the compiled step traces them once (tracedD / tracedG).
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedConfig } from '../../../shared/config';
import type { LayerDiag } from '../../../shared/events';
import type { Discriminator, Generator } from '../models/index';
import { dLoss, gLoss } from '../losses';
import { clipWeights, gradientPenalty } from '../regularizers';
import type { Adam, Ema } from '../optim';
import type { Augmenter } from '../augment/index';
import type { SigmaProbe } from './diagnostics';
import { augOf, tensorsOf, type StepFeeds } from './feeds';
import { NonFiniteError, absSum, nonFiniteLayer } from './nan-guard';
import type { UpdateDiag } from './update-diag';

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
  /** σ diagnostics of the weights this update uses ('measure' only). */
  measured?: LayerDiag[];
}

/** What the updates read of a trainer: its networks (tfjs variables up to date), optimisers and settings. */
export interface UpdateHost {
  readonly G: Generator;
  readonly D: Discriminator;
  readonly optG: Adam;
  readonly optD: Adam;
  readonly ema: Ema | null;
  readonly aug: Augmenter;
  readonly config: ResolvedConfig;
}

export class Updates {
  constructor(
    private readonly t: UpdateHost,
    /** The trainer's probe (it keeps warm starts across measurements). */
    private readonly sigmaProbe: SigmaProbe,
  ) {}

  /**
   * One D update's gradients from its feeds' tensors (u refreshed first in per-step mode). `diag`: 'measure' records
   * σ diagnostics of the weights this update uses (tfjs); 'record' returns SN's u and v at that point as tensors
   * (a compiled step's diagnostic outputs).
   */
  dGrads(f: Record<string, tf.Tensor>, diag: 'measure' | 'record' | 'none'): DGrads {
    const { G, D, aug, config: c } = this.t;
    const perForward = c.sn.update === 'per-forward';
    const fake0 = tf.tidy(() => G.apply(f.z, f.ohFake));
    const real = aug.apply(f.real, augOf(f, 'augR', aug.ops));
    const fake = aug.apply(fake0, augOf(f, 'augF', aug.ops));
    if (!perForward) D.params.powerIterate();
    // σ(W̄) of the very weights this update uses: W_t against the u refreshed for W_t
    // (per-forward: against the u the real forward starts from, one iteration behind the one it uses)
    const measured = diag === 'measure' ? this.sigmaProbe.measure(D.params.kernels, D.params.vars) : undefined;
    const snAt: Record<string, tf.Tensor> = {};
    if (diag === 'record') {
      for (const k of D.params.kernels) {
        if (!k.sn) continue;
        snAt[`sn_u.${k.name}`] = tf.clone(k.sn.u);
        snAt[`sn_v.${k.name}`] = tf.clone(k.sn.v);
      }
    }
    const kept: { rm?: tf.Tensor; fm?: tf.Tensor; rs?: tf.Tensor } = {};
    const { value, grads } = this.dForwards(perForward, () => tf.variableGrads(() => {
      const lr_ = D.apply(real, f.ohReal);
      const lf = D.apply(fake, f.ohFake);
      kept.rm = tf.keep(tf.mean(lr_));
      kept.fm = tf.keep(tf.mean(lf));
      // ADA's overfitting heuristic r_t reads the sign of D on (augmented) reals
      kept.rs = tf.keep(tf.sum(tf.sign(lr_)));
      let loss = dLoss(c.loss, lr_, lf);
      if (f.eps) loss = tf.add(loss, gradientPenalty((x) => D.apply(x, f.ohReal), real, fake, f.eps, c.d.gpLambda));
      return loss as tf.Scalar;
    }, D.params.trainable()));
    const temps = [...new Set([fake0, real, fake])].filter((x) => x !== f.real);
    tf.dispose(temps);
    return { value, grads, dMeanReal: kept.rm!, dMeanFake: kept.fm!, signSum: kept.rs!, gradAbs: absSum(grads), snAt, measured };
  }

  /** Apply D's gradients (Adam with the fed scalars, then weight clipping where configured). */
  dApply(grads: Record<string, tf.Tensor>, f: Record<string, tf.Tensor>): void {
    tf.tidy(() => this.t.optD.applyWith(grads, f.stepSize, f.epsHat));
    if (this.t.config.d.norm === 'clip') clipWeights(this.t.D.params.trainable(), this.t.config.d.clip);
  }

  /** The G update's gradients: through D (u refreshed there too, as PyTorch and Chainer do) and the augmentation. */
  gGrads(f: Record<string, tf.Tensor>): { value: tf.Scalar; grads: Record<string, tf.Tensor>; gradAbs: tf.Scalar } {
    const { G, D, aug, config: c } = this.t;
    const perForward = c.sn.update === 'per-forward';
    // D runs a training forward in the G update too: refresh u there as well, as
    // torch.nn.utils.spectral_norm and Chainer's SNGAN do on every training-mode call of D.
    if (!perForward) D.params.powerIterate();
    const { value, grads } = this.dForwards(perForward, () =>
      // through the augmentation to G: DiffAugment's point (the same ops on fakes in the G step as in D's)
      tf.variableGrads(() => gLoss(c.loss, D.apply(aug.apply(G.apply(f.z, f.oh), augOf(f, 'aug', aug.ops)), f.oh)), G.params.trainable()),
    );
    return { value, grads, gradAbs: absSum(grads) };
  }

  /** Apply G's gradients, then move the EMA shadow (keep/mix fed: a copy before ema.start). */
  gApply(grads: Record<string, tf.Tensor>, f: Record<string, tf.Tensor>): void {
    tf.tidy(() => {
      this.t.optG.applyWith(grads, f.stepSize, f.epsHat);
      if (this.t.ema) this.t.ema.updateWith(f.emaKeep, f.emaMix);
    });
  }

  /** One D update on tfjs with the compiled step's outputs as tensors (traced once by the runner). */
  tracedD(f: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const g = this.dGrads(f, 'record');
    const params = this.t.D.params;
    const norms: Record<string, tf.Tensor> = {};
    for (const k of params.kernels) {
      const gk = g.grads[params.vars.get(k.kernel)!.name];
      if (gk) norms[`gradNorm.${k.name}`] = tf.norm(gk);
    }
    this.dApply(g.grads, f);
    tf.dispose(Object.values(g.grads));
    return { dLoss: g.value, dReal: g.dMeanReal, dFake: g.dMeanFake, signSum: g.signSum, gradAbs: g.gradAbs, ...g.snAt, ...norms };
  }

  /** The G update on tfjs, traced once. */
  tracedG(f: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
    const g = this.gGrads(f);
    this.gApply(g.grads, f);
    tf.dispose(Object.values(g.grads));
    return { gLoss: g.value, gradAbs: g.gradAbs };
  }

  /**
   * One D update on tfjs from its feeds: checks loss and Σ|g| before applying (NonFiniteError names the layer). With
   * `diag`, records σ of the weights it uses and its gradient norms there.
   */
  guardedD(feeds: StepFeeds, step: number, diag: UpdateDiag | null): DResult {
    const D = this.t.D;
    const f = tensorsOf(feeds);
    const g = this.dGrads(f, diag ? 'measure' : 'none');
    if (g.measured) diag!.record(step, g.measured);
    const [lv, rv, fv, sv, ga] = [g.value, g.dMeanReal, g.dMeanFake, g.signSum, g.gradAbs].map((x) => x.dataSync()[0]);
    tf.dispose([g.value, g.dMeanReal, g.dMeanFake, g.signSum, g.gradAbs]);
    if (!Number.isFinite(lv) || !Number.isFinite(ga)) {
      const layer = nonFiniteLayer(D.params.trainable(), g.grads);
      tf.dispose([...Object.values(g.grads), ...Object.values(f)]);
      throw new NonFiniteError(step, layer, 'discriminator loss or gradient');
    }
    diag?.gradNormsOf(D.params, g.grads);
    this.dApply(g.grads, f);
    tf.dispose([...Object.values(g.grads), ...Object.values(f)]);
    return { dLoss: lv, dReal: rv, dFake: fv, signSum: sv };
  }

  /** The G update on tfjs from its feeds; checks loss and gradients (of G and, for the name, D) before applying. */
  guardedG(feeds: StepFeeds, step: number): number {
    const f = tensorsOf(feeds);
    const g = this.gGrads(f);
    const [gl, ga] = [g.value, g.gradAbs].map((x) => x.dataSync()[0]);
    tf.dispose([g.value, g.gradAbs]);
    if (!Number.isFinite(gl) || !Number.isFinite(ga)) {
      const layer = nonFiniteLayer([...this.t.G.params.trainable(), ...this.t.D.params.trainable()], g.grads);
      tf.dispose([...Object.values(g.grads), ...Object.values(f)]);
      throw new NonFiniteError(step, layer, 'generator loss or gradient');
    }
    this.gApply(g.grads, f);
    tf.dispose([...Object.values(g.grads), ...Object.values(f)]);
    return gl;
  }

  /** Run f with D's kernels refreshing u on every read when `perForward` (training-mode forwards only). */
  private dForwards<T>(perForward: boolean, f: () => T): T {
    this.t.D.params.snRefresh = perForward;
    try {
      return f();
    } finally {
      this.t.D.params.snRefresh = false;
    }
  }
}
