/**
 * The pure half of a stabiliser comparison (no tfjs, no sharp): the variant grid, each variant's validated
 * config, and what a finished run's metrics stream says about image quality and D's spectra. Shared by the
 * CLI comparison (compare.ts) and the app's studies (studies.ts), which must not load tfjs in the service process.
 */
import { parseConfig, parseSet, type TrainConfig } from '../../shared/config';
import type { ImageQuality } from '../engine/metrics/images';
import type { StreamEvent } from '../engine/alerts';

export interface CompareVariant {
  label: string;
  /** `--set`-style assignments applied on top of the base config. */
  sets: string[];
}

export interface VariantAxes {
  norms?: string[];
  presets?: string[];
  snIters?: number[];
  /** sn.update per variant ('per-step' | 'per-forward'); varies only for norms that use SN. */
  snUpdates?: string[];
  /** aug.mode per variant (an augmentation study): 'off' is labelled "none". */
  augModes?: string[];
}

const AUG_LABELS: Record<string, string> = { off: 'none', diffaugment: 'DiffAugment', ada: 'ADA' };

/**
 * Cartesian product of the given axes; `sn.iters` and `sn.update` only vary for norms that use SN; augmentation
 * modes vary innermost.
 */
export function buildVariants(axes: VariantAxes): CompareVariant[] {
  const axis = <T>(values: T[] | undefined): (T | undefined)[] => (values?.length ? values : [undefined]);
  const out: CompareVariant[] = [];
  for (const p of axis(axes.presets)) {
    for (const n of axis(axes.norms)) {
      const usesSn = n === undefined || n.startsWith('sn');
      for (const it of usesSn ? axis(axes.snIters) : [undefined]) {
        for (const up of usesSn ? axis(axes.snUpdates) : [undefined]) {
          for (const aug of axis(axes.augModes)) {
            const parts: [string, string | number | undefined, string?][] = [
              ['preset', p],
              ['d.norm', n],
              ['sn.iters', it, `it${it}`],
              ['sn.update', up],
              ['aug.mode', aug, aug === undefined ? undefined : (AUG_LABELS[aug] ?? aug)],
            ];
            const given = parts.filter(([, v]) => v !== undefined);
            out.push({
              label: given.map(([, v, l]) => l ?? String(v)).join('/') || 'base',
              sets: given.map(([k, v]) => `${k}=${v}`),
            });
          }
        }
      }
    }
  }
  return out;
}

/** Validate every variant's config before anything runs; throws a readable Error. */
export function variantConfigs(base: Record<string, unknown>, variants: CompareVariant[]): TrainConfig[] {
  return variants.map((v) => {
    let obj = base;
    for (const s of v.sets) obj = parseSet(obj, s);
    try {
      return parseConfig(obj);
    } catch (err) {
      throw new Error(`variant ${v.label}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

/** The last exact spectra (`diagEvery`): largest condition number and small-value share over D's layers. */
export interface SpectraSummary {
  step: number;
  dConditionMax: number | null;
  dSmallShareMax: number;
}

/** Image quality from the run's last `eval` event, if any. */
export function lastImageEval(events: StreamEvent[]): (ImageQuality & { source: 'eval'; step: number }) | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as { type: string; step?: number; eval?: { samples?: number; realSamples?: number; msssim?: number; msssimScales?: number; classifierFid?: number; classifierKid?: number } };
    if (e.type !== 'eval' || e.eval?.msssim === undefined) continue;
    const ev = e.eval;
    return {
      source: 'eval',
      step: e.step ?? 0,
      samples: ev.samples ?? 0,
      msssim: ev.msssim!,
      ...(ev.msssimScales !== undefined ? { msssimScales: ev.msssimScales } : {}),
      ...(ev.realSamples !== undefined ? { realSamples: ev.realSamples } : {}),
      ...(ev.classifierFid !== undefined ? { fid: ev.classifierFid } : {}),
      ...(ev.classifierKid !== undefined ? { kid: ev.classifierKid } : {}),
    };
  }
  return undefined;
}

/** Summary of the run's last spectra event over D's layers (null condition = rank-deficient = ∞). */
export function lastSpectra(events: StreamEvent[]): SpectraSummary | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as { type: string; step?: number; spectra?: { name: string; condition: number | null; smallShare: number }[] };
    if (e.type !== 'spectra' || !e.spectra) continue;
    const d = e.spectra.filter((l) => l.name.startsWith('D/'));
    if (!d.length) return undefined;
    const conds = d.map((l) => l.condition ?? Infinity);
    const max = Math.max(...conds);
    return { step: e.step ?? 0, dConditionMax: Number.isFinite(max) ? max : null, dSmallShareMax: Math.max(...d.map((l) => l.smallShare)) };
  }
  return undefined;
}
