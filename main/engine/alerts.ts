/**
 * Training alerts as pure functions over the metrics stream (the events a trainer writes to metrics.jsonl).
 * No tfjs, no I/O: feed events in, get alerts out. `createAlertMonitor` is the streaming form (one call per
 * event, deduplicated: an alert fires once, and again only after the condition has cleared);
 * `detectAlerts` folds a whole recorded stream.
 *
 *  - divergence: a non-finite loss / σ / gradient norm, a trainer `non_finite` error, or σ of a raw weight
 *    exploding (above `sigmaMax`, or `sigmaFactor` × its first recorded value).
 *  - d_overpowering: over the last `window` metrics events D's loss stays near 0 (mean ≤ `dLossMax`) while
 *    G's loss rises (positive least-squares slope and last > first).
 *  - spectral_collapse: in a layer's singular-value spectrum, more than `collapsedShare` of the values fall
 *    below `collapseFraction` × σ_max (the layer has lost rank).
 *  - mode_collapse (2D data): modes covered drops below `modeDrop` × the best coverage seen so far.
 *  - overfitting (images with a held-out slice; augmentation off, or ADA whose p has not risen): averaged over the
 *    last `window` readable metrics events, D scores held-out reals closer to fakes than to training reals:
 *    (D_train − D_heldout) / (D_train − D_fake) above `overfitShare` (ADA's r_v heuristic, Karras et al. 2020
 *    Sec. 3; 0 = no gap, 1 = held-out reals look fake). A mean, not "every one": D's margin swings from log to log,
 *    and a 200-image run whose gap stayed open at 0.3–1.2 for 500 steps never had five in a row above 0.5.
 */

import type { ALERT_KINDS, LayerSpectrum as SharedLayerSpectrum } from '../../shared/events';

export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  kind: AlertKind;
  step: number;
  severity: 'warning' | 'error';
  message: string;
  layer?: string;
  /** For divergence: a non-finite value, or σ_raw exploding while still finite. */
  cause?: 'non_finite' | 'sigma_explosion';
}

/**
 * A layer's spectrum as the trainer's `spectra` events carry it (shared/events.ts LayerSpectrum); only
 * `name` and `values` are required. When `values` is truncated (the largest 256 of `count`), the trainer's
 * `smallShare` over all values is used.
 */
export type LayerSpectrum = Pick<SharedLayerSpectrum, 'name' | 'values'> & Partial<Pick<SharedLayerSpectrum, 'count' | 'sigmaMax' | 'smallShare'>>;

/** The collapse threshold the trainer's `smallShare` uses (engine/trainer/spectra.ts). */
const SMALL_FRACTION = 0.01;

/** The fields alerts read; a metrics / sample / error event from shared/events.ts fits. */
export interface StreamEvent {
  type: string;
  step?: number;
  dLoss?: number;
  gLoss?: number;
  layers?: { name: string; sigmaRaw: number; sigmaBar: number; gradNorm: number }[];
  lipschitzBound?: number;
  eval?: { modesCovered?: number; modesCoveredAny?: number; modesTotal?: number; highQualityFraction?: number; samples?: number };
  /** The overfitting gauge (trainer/gauge.ts) and the augmentation in effect. */
  dFake?: number;
  dTrainMean?: number;
  dHeldOutMean?: number;
  augMode?: string;
  augP?: number;
  code?: string;
  layer?: string;
  message?: string;
  /** Optional per-layer spectra (when the trainer's diagnostics include them). */
  spectra?: LayerSpectrum[];
}

export interface AlertOptions {
  sigmaMax: number;
  sigmaFactor: number;
  window: number;
  dLossMax: number;
  collapseFraction: number;
  collapsedShare: number;
  modeDrop: number;
  overfitShare: number;
  /** D_train − D_fake below this: D does not yet separate reals from fakes, the share is noise. */
  overfitMinSpread: number;
  /** ADA with p below this has not reacted yet: its run is watched as if augmentation were off. */
  adaIdleP: number;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = {
  sigmaMax: 1e4,
  sigmaFactor: 100,
  window: 5,
  dLossMax: 0.05,
  collapseFraction: 0.01,
  collapsedShare: 0.5,
  modeDrop: 0.5,
  overfitShare: 0.5,
  overfitMinSpread: 0.05,
  adaIdleP: 0.05,
};

/** The overfitting share of one metrics event, or null where it has no gauge (or D's spread is too small to read). */
export function overfitShare(e: StreamEvent, minSpread = DEFAULT_ALERT_OPTIONS.overfitMinSpread): number | null {
  const { dTrainMean: t, dHeldOutMean: h, dFake: f } = e;
  if (t === undefined || h === undefined || f === undefined) return null;
  const spread = t - f;
  if (!Number.isFinite(spread) || spread < minSpread) return null;
  return (t - h) / spread;
}

/** Least-squares slope of ys against their index. */
export function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mx) * (ys[i] - my);
    den += (i - mx) ** 2;
  }
  return num / den;
}

/** Spectral collapse check on one layer's spectrum; null when healthy. */
export function spectralCollapse(
  step: number,
  spec: LayerSpectrum,
  o: Pick<AlertOptions, 'collapseFraction' | 'collapsedShare'> = DEFAULT_ALERT_OPTIONS,
): Alert | null {
  const s = Array.from(spec.values);
  const count = Math.max(spec.count ?? s.length, s.length);
  if (count < 2) return null;
  const max = spec.sigmaMax ?? Math.max(...s);
  if (!Number.isFinite(max) || max <= 0) return null;
  // the trainer's share counts every value; it is only valid for the 1 % threshold it was computed with
  const exact = spec.smallShare !== undefined && o.collapseFraction === SMALL_FRACTION;
  const cut = o.collapseFraction * max;
  // values left out of a truncated record are the smallest: all below the cut if the last kept one is
  const missing = s.length && Math.min(...s) < cut ? count - s.length : 0;
  const share = exact ? spec.smallShare! : (s.filter((v) => v < cut).length + missing) / count;
  const small = Math.round(share * count);
  if (share <= o.collapsedShare) return null;
  return {
    kind: 'spectral_collapse',
    step,
    severity: 'warning',
    layer: spec.name,
    message: `${spec.name}: ${small}/${count} singular values below ${o.collapseFraction} × σ_max (${max.toPrecision(3)})`,
  };
}

export interface AlertMonitor {
  push(e: StreamEvent): Alert[];
}

export function createAlertMonitor(opts: Partial<AlertOptions> = {}): AlertMonitor {
  const o = { ...DEFAULT_ALERT_OPTIONS, ...opts };
  const firstSigma = new Map<string, number>();
  const active = new Set<string>(); // keys of conditions currently firing
  const dHist: number[] = [];
  const gHist: number[] = [];
  let bestModes = 0;
  const overHist: number[] = [];

  /** Fire `a` if its key is not already active; `on=false` clears it. */
  const gate = (key: string, on: boolean, make: () => Alert, out: Alert[]) => {
    if (!on) {
      active.delete(key);
      return;
    }
    if (active.has(key)) return;
    active.add(key);
    out.push(make());
  };

  return {
    push(e: StreamEvent): Alert[] {
      const out: Alert[] = [];
      const step = e.step ?? 0;
      if (e.type === 'error' && e.code === 'non_finite') {
        out.push({ kind: 'divergence', cause: 'non_finite', step, severity: 'error', layer: e.layer, message: e.message ?? 'non-finite values in training' });
        return out;
      }
      if (e.eval?.modesCovered !== undefined) {
        const m = e.eval.modesCovered;
        const collapsed = bestModes >= 2 && m < o.modeDrop * bestModes;
        gate('modes', collapsed, () => ({
          kind: 'mode_collapse',
          step,
          severity: 'warning',
          message: `modes covered fell to ${m}${e.eval?.modesTotal ? `/${e.eval.modesTotal}` : ''} from a best of ${bestModes}`,
        }), out);
        bestModes = Math.max(bestModes, m);
      }
      for (const sp of e.spectra ?? []) {
        const a = spectralCollapse(step, sp, o);
        gate(`spec:${sp.name}`, a !== null, () => a!, out);
      }
      if (e.type !== 'metrics') return out;

      const lossesFinite = Number.isFinite(e.dLoss) && Number.isFinite(e.gLoss);
      gate('loss', !lossesFinite, () => ({ kind: 'divergence', cause: 'non_finite', step, severity: 'error', message: `non-finite loss (D ${e.dLoss}, G ${e.gLoss})` }), out);
      for (const l of e.layers ?? []) {
        const bad = !Number.isFinite(l.sigmaRaw) || !Number.isFinite(l.gradNorm) || !Number.isFinite(l.sigmaBar);
        if (!bad && !firstSigma.has(l.name) && l.sigmaRaw > 0) firstSigma.set(l.name, l.sigmaRaw);
        const s0 = firstSigma.get(l.name);
        const exploding = bad || l.sigmaRaw > o.sigmaMax || (s0 !== undefined && l.sigmaRaw > o.sigmaFactor * s0);
        gate(`sigma:${l.name}`, exploding, () => ({
          kind: 'divergence',
          cause: bad ? 'non_finite' : 'sigma_explosion',
          step,
          severity: 'error',
          layer: l.name,
          message: bad
            ? `${l.name}: non-finite σ or gradient (σ_raw ${l.sigmaRaw}, ‖g‖ ${l.gradNorm})`
            : `${l.name}: σ_raw exploded to ${l.sigmaRaw.toPrecision(3)} (first ${s0?.toPrecision(3) ?? '?'})`,
        }), out);
      }

      const adaIdle = e.augMode === 'ada' && (e.augP ?? 0) < o.adaIdleP;
      const share = e.augMode === 'off' || adaIdle ? overfitShare(e, o.overfitMinSpread) : null;
      if (e.dTrainMean !== undefined) {
        if (share !== null) overHist.push(share);
        else if (e.augMode !== 'off' && !adaIdle) overHist.length = 0; // augmentation at work: start over
        if (overHist.length > o.window) overHist.shift();
        const mean = overHist.reduce((a, b) => a + b, 0) / Math.max(1, overHist.length);
        const open = overHist.length === o.window && mean > o.overfitShare;
        const remedy = adaIdle
          ? `ADA's p is only ${(e.augP ?? 0).toFixed(3)}: it moves by at most 1 per aug.speedKimg thousand images; lower aug.speedKimg, or set aug.mode=diffaugment`
          : 'turn augmentation on (aug.mode=ada or diffaugment)';
        gate('overfit', open, () => ({
          kind: 'overfitting',
          step,
          severity: 'warning',
          message: `D scores held-out images ${(100 * mean).toFixed(0)} % of the way from training images to fakes (mean of ${o.window} logs; now D_train ${e.dTrainMean!.toPrecision(3)}, D_heldout ${e.dHeldOutMean!.toPrecision(3)}): D is memorising the training set; ${remedy}`,
        }), out);
      }

      if (lossesFinite) {
        dHist.push(e.dLoss!);
        gHist.push(e.gLoss!);
        if (dHist.length > o.window) dHist.shift();
        if (gHist.length > o.window) gHist.shift();
        const full = dHist.length === o.window && o.window >= 2;
        const dMean = dHist.reduce((a, b) => a + b, 0) / dHist.length;
        const over = full && dMean <= o.dLossMax && slope(gHist) > 0 && gHist[gHist.length - 1] > gHist[0];
        gate('dover', over, () => ({
          kind: 'd_overpowering',
          step,
          severity: 'warning',
          message: `D loss ≈ ${dMean.toPrecision(2)} while G loss rose ${gHist[0].toPrecision(3)} → ${gHist[gHist.length - 1].toPrecision(3)} over ${o.window} logs`,
        }), out);
      }
      return out;
    },
  };
}

/** All alerts in a recorded stream, in order. */
export function detectAlerts(stream: StreamEvent[], opts: Partial<AlertOptions> = {}): Alert[] {
  const m = createAlertMonitor(opts);
  return stream.flatMap((e) => m.push(e));
}
