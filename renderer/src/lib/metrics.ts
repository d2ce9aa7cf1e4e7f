/**
 * Turn the loose run.metrics records into chart series. A record looks like
 * { step, dLoss, gLoss, dReal, dFake, lipschitzBound, layers:[{name,sigmaRaw,sigmaBar,gradNorm}], eval?:{modesCovered} }
 * (type 'metrics'), { type:'spectra', step, spectra:[LayerSpectrum] }, { type:'eval', step, eval:{msssim, classifierFid, …} }
 * or { type:'alert', step, kind, severity, message, layer? } (shared/events.ts), but any key may be missing;
 * nothing here throws on odd input.
 */
import type { Pt } from './decimate';
import { decimate } from './decimate';
import { ema } from './ema';

export type MetricsRow = Record<string, unknown>;

/** shared/events.ts LayerSpectrum, as loosely read here: `values` may be the largest 256 of `count`. */
export interface Spectrum {
  name: string;
  values: number[];
  /** σmax/σmin over all values; Infinity when the trainer sent null (σmin = 0). */
  condition?: number;
  count?: number;
  sigmaMax?: number;
  /** Share of all values below 1 % of σmax. */
  smallShare?: number;
}

export interface AlertRow {
  step: number | null;
  kind: string;
  severity: 'warning' | 'error';
  message: string;
  layer?: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

export function stepOf(row: MetricsRow): number | null {
  return typeof row.step === 'number' ? row.step : null;
}

/** Value of a (possibly dotted) key, also looking inside `eval` (modesCovered lives there). */
export function valueOf(row: MetricsRow, key: string): number | null {
  if (key in row) return num(row[key]);
  const ev = row.eval as Record<string, unknown> | undefined;
  if (ev && typeof ev === 'object' && key in ev) return num(ev[key]);
  return null;
}

export function scalarSeries(rows: readonly MetricsRow[], key: string): Pt[] {
  const out: Pt[] = [];
  for (const r of rows) {
    const x = stepOf(r);
    if (x === null) continue;
    const y = valueOf(r, key);
    if (y === null && !(key in r)) continue;
    out.push({ x, y });
  }
  return out;
}

export type LayerField = 'sigmaRaw' | 'sigmaBar' | 'gradNorm';

/** One series per layer name, in the order layers first appear. */
export function layerSeries(rows: readonly MetricsRow[], field: LayerField): Map<string, Pt[]> {
  const out = new Map<string, Pt[]>();
  for (const r of rows) {
    const x = stepOf(r);
    if (x === null || !Array.isArray(r.layers)) continue;
    for (const l of r.layers as Record<string, unknown>[]) {
      if (!l || typeof l.name !== 'string') continue;
      if (!out.has(l.name)) out.set(l.name, []);
      out.get(l.name)!.push({ x, y: num(l[field]) });
    }
  }
  return out;
}

/** The most recent singular-value spectra, if the trainer sent any. */
export function latestSpectra(rows: readonly MetricsRow[]): { step: number | null; spectra: Spectrum[] } {
  for (let i = rows.length - 1; i >= 0; i--) {
    const s = rows[i].spectra;
    if (Array.isArray(s) && s.length) {
      const spectra = s
        .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && typeof x.name === 'string' && Array.isArray(x.values))
        .map((x) => {
          const values = (x.values as unknown[]).filter((v): v is number => typeof v === 'number');
          const count = num(x.count);
          // the trainer sends condition: null for σmin = 0; a truncated list cannot give σmin itself
          const cond = x.condition === null ? Infinity : (num(x.condition) ?? (count !== null && count > values.length ? null : conditionNumber(values)));
          const out: Spectrum = { name: x.name as string, values, condition: cond ?? undefined };
          if (count !== null) out.count = count;
          const sm = num(x.sigmaMax), sh = num(x.smallShare);
          if (sm !== null) out.sigmaMax = sm;
          if (sh !== null) out.smallShare = sh;
          return out;
        });
      return { step: stepOf(rows[i]), spectra };
    }
  }
  return { step: null, spectra: [] };
}

export function conditionNumber(values: readonly number[]): number | null {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!pos.length) return null;
  return Math.max(...pos) / Math.min(...pos);
}

/** Alert rows (type 'alert'), oldest first. */
export function alertsOf(rows: readonly MetricsRow[]): AlertRow[] {
  const out: AlertRow[] = [];
  for (const r of rows) {
    if (r.type !== 'alert' || typeof r.kind !== 'string' || typeof r.message !== 'string') continue;
    out.push({ step: stepOf(r), kind: r.kind, severity: r.severity === 'error' ? 'error' : 'warning', message: r.message, ...(typeof r.layer === 'string' ? { layer: r.layer } : {}) });
  }
  return out;
}

export interface Prepared {
  raw: Pt[];
  smooth: Pt[] | null;
}

/** Smooth (EMA over the full series) then decimate both lines for drawing. */
export function prepare(points: readonly Pt[], smoothing: number, maxPoints = 800): Prepared {
  const raw = decimate(points, maxPoints);
  if (smoothing <= 0) return { raw, smooth: null };
  const ys = ema(
    points.map((p) => p.y),
    smoothing,
  );
  const smooth = decimate(
    points.map((p, i) => ({ x: p.x, y: ys[i] })),
    maxPoints,
  );
  return { raw, smooth };
}

const rowKey = (r: MetricsRow): string => `${typeof r.type === 'string' ? r.type : ''}:${stepOf(r)}`;
const seenKeys = new WeakMap<MetricsRow[], Set<string>>();

/**
 * Append new rows, dropping any already there (events racing a history fetch). Rows are told apart by
 * (type, step): a spectra or eval record may arrive after the metrics row of a later step (the trainer
 * computes spectra in the background), and a metrics row and an alert can share a step.
 */
export function mergeRows(existing: MetricsRow[], incoming: readonly MetricsRow[]): MetricsRow[] {
  let keys = seenKeys.get(existing);
  if (!keys) {
    keys = new Set(existing.map(rowKey));
    seenKeys.set(existing, keys);
  }
  for (const r of incoming) {
    const k = rowKey(r);
    if (stepOf(r) !== null && keys.has(k)) continue;
    existing.push(r);
    keys.add(k);
  }
  return existing;
}
