/**
 * Stabiliser comparison: the same data, seed, architecture and step budget trained once per variant
 * (D normalisation × Adam preset × SN power iterations), one after another, each as a normal run in the
 * workspace; then each run's metrics.jsonl is summarised (engine/metrics/summary.ts).
 */
import { parseConfig, parseSet, type TrainConfig } from '../../shared/config';
import type { TrainerEvent } from '../../shared/events';
import { createRun, readMetrics, updateStatus } from '../runs/store';
import { TrainerHost } from './trainer-host';
import { summarizeRun, DEFAULT_THRESHOLD, type QualityThreshold, type RunSummary } from '../engine/metrics/summary';
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
}

/** Cartesian product of the given axes; `sn.iters` only varies for norms that use SN. */
export function buildVariants(axes: VariantAxes): CompareVariant[] {
  const norms = axes.norms?.length ? axes.norms : [undefined];
  const presets = axes.presets?.length ? axes.presets : [undefined];
  const out: CompareVariant[] = [];
  for (const p of presets) {
    for (const n of norms) {
      const usesSn = n === undefined || n.startsWith('sn');
      const iters = axes.snIters?.length && usesSn ? axes.snIters : [undefined];
      for (const it of iters) {
        const sets: string[] = [];
        const label: string[] = [];
        if (p !== undefined) {
          sets.push(`preset=${p}`);
          label.push(p);
        }
        if (n !== undefined) {
          sets.push(`d.norm=${n}`);
          label.push(n);
        }
        if (it !== undefined) {
          sets.push(`sn.iters=${it}`);
          label.push(`it${it}`);
        }
        out.push({ label: label.join('/') || 'base', sets });
      }
    }
  }
  return out;
}

export interface VariantResult {
  label: string;
  runDir: string;
  state: string;
  wallSec: number;
  config: TrainConfig;
  summary: RunSummary;
}

export interface CompareOptions {
  workspace: string;
  /** Plain config object (before parseConfig); every variant starts from it. */
  base: Record<string, unknown>;
  variants: CompareVariant[];
  threshold?: QualityThreshold;
  onEvent?: (label: string, e: TrainerEvent) => void;
  onVariantStart?: (v: CompareVariant, index: number, runDir: string) => void;
  /** Host factory (tests may inject one); defaults to a forked trainer process. */
  host?: (runDir: string, workspace: string, onEvent: (e: TrainerEvent) => void) => Pick<TrainerHost, 'start' | 'wait' | 'stop'>;
  /** Set to true to stop the queue after the current variant. */
  cancelled?: () => boolean;
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

export async function runComparison(o: CompareOptions): Promise<VariantResult[]> {
  const configs = variantConfigs(o.base, o.variants);
  const results: VariantResult[] = [];
  for (let i = 0; i < o.variants.length; i++) {
    if (o.cancelled?.()) break;
    const v = o.variants[i];
    const config = configs[i];
    const run = await createRun(o.workspace, config);
    o.onVariantStart?.(v, i, run.dir);
    let nanMsg: string | null = null;
    const onEvent = (e: TrainerEvent) => {
      o.onEvent?.(v.label, e);
      // Headless: a NaN pauses the run with nobody to resume it; record it as a divergence and move on.
      if (e.type === 'error' && e.code === 'non_finite') {
        nanMsg = e.message;
        host.stop();
      }
    };
    const host = o.host
      ? o.host(run.dir, o.workspace, onEvent)
      : new TrainerHost({ runDir: run.dir, workspace: o.workspace, steps: config.steps, onEvent });
    const t0 = performance.now();
    await host.start();
    const state = await host.wait();
    const wallSec = (performance.now() - t0) / 1000;
    if (nanMsg) await updateStatus(run.dir, { error: nanMsg }).catch(() => {});
    const events = (await readMetrics(run.dir)) as unknown as StreamEvent[];
    results.push({ label: v.label, runDir: run.dir, state, wallSec, config, summary: summarizeRun(events, o.threshold ?? DEFAULT_THRESHOLD) });
  }
  return results;
}
