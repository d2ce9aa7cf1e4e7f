/**
 * The host half of each update: everything it draws, in the trainer's RNG order (batch, z, classes, GP's ε,
 * augmentation), and its optimiser scalars. The tfjs step makes tensors of these; a compiled step is fed them.
 */
import type { ResolvedConfig } from '../../../shared/config';
import type { Augmenter } from '../augment/index';
import type { Adam, Ema } from '../optim';
import type { DataSource } from './data';
import type { Rng } from './rng';
import { onehotRows, putAug, putFeed, scalarFeed, type StepFeeds } from './feeds';

/** What planning reads of a trainer. */
export interface PlanHost {
  readonly config: ResolvedConfig;
  readonly data: DataSource;
  readonly rng: Rng;
  readonly aug: Augmenter;
  readonly optD: Adam;
  readonly optG: Adam;
  readonly ema: Ema | null;
  readonly step: number;
  readonly spec: { classes: number };
}

/** One D update: the batch, z, class rows for reals and fakes, ε (GP), augmentation for reals then fakes; Adam's scalars. */
export function planD(t: PlanHost): StepFeeds {
  const c = t.config;
  const n = c.batch;
  const f: StepFeeds = {};
  const batch = t.data.batch(n, t.rng, c.dequantize);
  f.real = { data: Float32Array.from(batch.x), shape: [n, ...t.data.shape] };
  f.z = { data: t.rng.normal(n * c.zdim), shape: [n, c.zdim] };
  putFeed(f, 'ohReal', onehotRows(t.spec.classes, batch.labels, n, t.rng));
  putFeed(f, 'ohFake', onehotRows(t.spec.classes, undefined, n, t.rng));
  if (c.d.norm === 'gp' || c.d.norm === 'sn+gp') f.eps = { data: t.rng.uniform(n, 0, 1), shape: [n] };
  // independent per-sample parameters for reals and fakes, drawn after everything else (off: none drawn)
  putAug(f, 'augR', t.aug.drawArrays(t.rng, n));
  putAug(f, 'augF', t.aug.drawArrays(t.rng, n));
  const h = t.optD.hyper();
  f.stepSize = scalarFeed(h.stepSize);
  f.epsHat = scalarFeed(h.epsHat);
  return f;
}

/** The G update: its batch is genBatch (2 × batch in the ResNet recipe); Adam's scalars and the EMA's keep/mix. */
export function planG(t: PlanHost): StepFeeds {
  const c = t.config;
  const nG = c.genBatch || c.batch;
  const f: StepFeeds = {};
  f.z = { data: t.rng.normal(nG * c.zdim), shape: [nG, c.zdim] };
  putFeed(f, 'oh', onehotRows(t.spec.classes, undefined, nG, t.rng));
  putAug(f, 'aug', t.aug.drawArrays(t.rng, nG));
  const h = t.optG.hyper();
  f.stepSize = scalarFeed(h.stepSize);
  f.epsHat = scalarFeed(h.epsHat);
  if (t.ema) {
    // before ema.start the shadow follows the weights: keep 0, mix 1 is a copy
    const on = t.step >= c.ema.start;
    f.emaKeep = scalarFeed(on ? t.ema.decay : 0);
    f.emaMix = scalarFeed(on ? 1 - t.ema.decay : 1);
  }
  return f;
}
