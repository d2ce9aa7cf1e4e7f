/**
 * One run's recorded metrics stream (metrics.jsonl) → the numbers a comparison table shows.
 * Pure: no tfjs, no I/O.
 */
import { detectAlerts, type StreamEvent, type AlertOptions } from '../alerts';

export interface QualityThreshold {
  /** Fraction of the modes that must be covered (2D data). */
  minModesFraction: number;
  /** Fraction of samples within 3σ of a mode (2D data). */
  minHighQuality: number;
}

export const DEFAULT_THRESHOLD: QualityThreshold = { minModesFraction: 0.9, minHighQuality: 0.5 };

export interface RunSummary {
  lastStep: number;
  finalDLoss: number | null;
  finalGLoss: number | null;
  /** Last evaluation on 2D data (null for images or when none was recorded): modes with ≥ 20 high-quality samples. */
  modesCovered: number | null;
  /** The same evaluation by VEEGAN/PacGAN's definition: modes with ≥ 1 high-quality sample. */
  modesCoveredAny: number | null;
  /** Points scored at that evaluation. */
  evalSamples: number | null;
  modesTotal: number | null;
  highQualityFraction: number | null;
  klToUniform: number | null;
  /** Best modes covered at any evaluation. */
  bestModesCovered: number | null;
  /** First evaluated step meeting the threshold; null if never. */
  stepsToQuality: number | null;
  /** Non-finite events (trainer NaN guard or non-finite losses/σ). */
  nonFinite: number;
  /** σ_raw explosions (layers). */
  sigmaExplosions: number;
  /** Count of every alert kind raised over the run. */
  alerts: Record<string, number>;
  /** Largest product bound ∏σ recorded. */
  maxLipschitzBound: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function summarizeRun(events: StreamEvent[], threshold: QualityThreshold = DEFAULT_THRESHOLD, alertOpts: Partial<AlertOptions> = {}): RunSummary {
  const s: RunSummary = {
    lastStep: 0,
    finalDLoss: null,
    finalGLoss: null,
    modesCovered: null,
    modesCoveredAny: null,
    evalSamples: null,
    modesTotal: null,
    highQualityFraction: null,
    klToUniform: null,
    bestModesCovered: null,
    stepsToQuality: null,
    nonFinite: 0,
    sigmaExplosions: 0,
    alerts: {},
    maxLipschitzBound: null,
  };
  for (const e of events) {
    if (typeof e.step === 'number' && e.type !== 'error') s.lastStep = Math.max(s.lastStep, e.step);
    if (e.type === 'metrics') {
      s.finalDLoss = num(e.dLoss);
      s.finalGLoss = num(e.gLoss);
      const lb = num(e.lipschitzBound);
      if (lb !== null && Number.isFinite(lb)) s.maxLipschitzBound = Math.max(s.maxLipschitzBound ?? 0, lb);
    }
    const ev = (e as { eval?: { modesCovered?: number; modesCoveredAny?: number; modesTotal?: number; highQualityFraction?: number; klToUniform?: number; samples?: number } }).eval;
    if (ev && ev.modesCovered !== undefined) {
      s.modesCovered = ev.modesCovered;
      s.modesCoveredAny = ev.modesCoveredAny ?? null;
      s.evalSamples = ev.samples ?? null;
      s.modesTotal = ev.modesTotal ?? null;
      s.highQualityFraction = ev.highQualityFraction ?? null;
      s.klToUniform = ev.klToUniform ?? null;
      s.bestModesCovered = Math.max(s.bestModesCovered ?? 0, ev.modesCovered);
      const total = ev.modesTotal ?? 0;
      if (
        s.stepsToQuality === null &&
        total > 0 &&
        ev.modesCovered >= threshold.minModesFraction * total &&
        (ev.highQualityFraction ?? 0) >= threshold.minHighQuality
      ) s.stepsToQuality = e.step ?? 0;
    }
  }
  for (const a of detectAlerts(events, alertOpts)) {
    s.alerts[a.kind] = (s.alerts[a.kind] ?? 0) + 1;
    if (a.kind === 'divergence') {
      if (a.cause === 'non_finite') s.nonFinite++;
      else s.sigmaExplosions++;
    }
  }
  return s;
}
