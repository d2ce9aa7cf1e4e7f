/**
 * Turn the loose run.metrics records into chart series. A record looks like
 * { step, dLoss, gLoss, dReal, dFake, lipschitzBound, layers:[{name,sigmaRaw,sigmaBar,gradNorm}], eval?:{modesCovered}, spectra?:[...] }
 * but any key may be missing; nothing here throws on odd input.
 */
import type { Pt } from './decimate';
import { decimate } from './decimate';
import { ema } from './ema';

export type MetricsRow = Record<string, unknown>;

export interface Spectrum {
  name: string;
  values: number[];
  condition?: number;
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
          const cond = num(x.condition) ?? conditionNumber(values);
          return { name: x.name as string, values, condition: cond ?? undefined };
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

/** Append new rows, dropping any whose step we already have (events racing a history fetch). */
export function mergeRows(existing: MetricsRow[], incoming: readonly MetricsRow[]): MetricsRow[] {
  let last = existing.length ? (stepOf(existing[existing.length - 1]) ?? -Infinity) : -Infinity;
  for (const r of incoming) {
    const s = stepOf(r);
    if (s !== null && s <= last) continue;
    existing.push(r);
    if (s !== null) last = s;
  }
  return existing;
}
