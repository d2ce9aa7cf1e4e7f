/**
 * `sngan-studio compare --dataset <ref> --workspace DIR --steps N [--norms sn,gp,bn,none] [--presets A,…,F]
 *   [--sn-iters 1,5,10] [--sn-update per-step,per-forward] [--set k=v …] [--json]`
 * Trains one run per variant (same data, seed, architecture, step budget), one after another, then prints
 * a summary table; with --json, one JSON object on stdout.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { D_NORMS, PRESETS, SN_UPDATES, parseSet } from '../../shared/config';
import { buildVariants, runComparison, variantConfigs, type VariantResult } from '../services/compare';
import { DEFAULT_THRESHOLD } from '../engine/metrics/summary';
import { parseFlags, UsageError } from './args';

export const compareHelp = `sngan-studio compare --dataset <id|path|builtin:NAME> --workspace DIR --steps N [options]

Trains the same data / seed / architecture / step budget once per variant, one after another (each a normal
run in the workspace), then prints a summary table.

Options:
  --norms LIST       D normalisations to compare (default sn,gp,bn,none; any of ${D_NORMS.join(', ')})
  --presets LIST     Adam presets from the SN paper, e.g. A,B,C,D,E,F (crossed with --norms)
  --sn-iters LIST    power iterations per step for the SN variants, e.g. 1,5,10
  --sn-update LIST   when the SN variants refresh u: per-step, per-forward (or both)
  --config FILE      base training config JSON
  --set KEY=VALUE    override one base config key; repeatable
  --min-modes FRAC   quality threshold: fraction of modes covered (2D data; default ${DEFAULT_THRESHOLD.minModesFraction})
  --min-hq FRAC      quality threshold: high-quality sample fraction (2D data; default ${DEFAULT_THRESHOLD.minHighQuality})
  --backend NAME     force a tfjs backend
  (image metrics: add --set evalEvery=N [--set evalSamples=M] to score fresh samples during training; otherwise
   the final sample grid is scored. FID/KID use a classifier trained on the dataset's labels, cached in the
   workspace — NOT Inception-FID.)
  --json             print one JSON object instead of the table`;

const list = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;

function frac(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a number in [0, 1]`);
  return n;
}

const f = (v: number | null, d = 3) => (v === null ? '-' : Number.isFinite(v) ? v.toFixed(d) : String(v));

/** The summary table, one row per variant. */
export function formatTable(results: VariantResult[]): string {
  const img = results.some((r) => r.image);
  const spec = results.some((r) => r.spectra);
  const head = ['variant', 'state', 'step', 'D loss', 'G loss', 'modes≥20', 'modes≥1', 'best', 'HQ %', 'n', 'KL', 'steps→Q', 'max ∏σ', ...(img ? ['FID*', 'KID*', 'n real/fake', 'MS-SSIM', 'scales'] : []), ...(spec ? ['κmax D', 'small D'] : []), 'wall s', 'NaN', 'σ expl', 'alerts'];
  const rows = results.map((r) => {
    const s = r.summary;
    const alerts = Object.entries(s.alerts).map(([k, n]) => `${k}:${n}`).join(' ') || '-';
    const n = r.image ? `${r.image.realSamples ?? '-'}/${r.image.samples}${r.image.source === 'grid' ? 'g' : ''}` : '-';
    const im = img ? [f(r.image?.fid ?? null, 2), f(r.image?.kid ?? null, 3), n, f(r.image?.msssim ?? null, 3), r.image?.msssimScales ? String(r.image.msssimScales) : '-'] : [];
    const sp = spec ? [r.spectra ? (r.spectra.dConditionMax === null ? '∞' : r.spectra.dConditionMax.toPrecision(3)) : '-', r.spectra ? `${(100 * r.spectra.dSmallShareMax).toFixed(0)}%` : '-'] : [];
    return [
      r.label,
      r.state,
      String(s.lastStep),
      f(s.finalDLoss),
      f(s.finalGLoss),
      s.modesCovered === null ? '-' : `${s.modesCovered}/${s.modesTotal ?? '?'}`,
      s.modesCoveredAny == null ? '-' : `${s.modesCoveredAny}/${s.modesTotal ?? '?'}`,
      s.bestModesCovered == null ? '-' : String(s.bestModesCovered),
      s.highQualityFraction === null ? '-' : (100 * s.highQualityFraction).toFixed(1),
      s.evalSamples == null ? '-' : String(s.evalSamples),
      f(s.klToUniform),
      s.stepsToQuality === null ? '-' : String(s.stepsToQuality),
      s.maxLipschitzBound == null ? '-' : s.maxLipschitzBound.toPrecision(3),
      ...im,
      ...sp,
      r.wallSec.toFixed(1),
      String(s.nonFinite),
      String(s.sigmaExplosions),
      alerts,
    ];
  });
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ').trimEnd();
  const table = [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
  if (img) table.push('* FID/KID in the feature space of a small classifier trained on this dataset\'s labels — not Inception-FID; MS-SSIM over random pairs (lower = more diverse), over `scales` scales (the standard 5 need ≥ 176 px); n = real/generated samples scored: the last in-training eval (evalEvery), or "g" = the final sample grid.');
  if (results.some((r) => r.summary.modesTotal != null)) table.push('modes≥20 = modes with ≥ 20 high-quality samples (the app\'s rule); modes≥1 = with ≥ 1 (VEEGAN/PacGAN\'s definition); n = points scored.');
  if (spec) table.push('κmax D = largest condition number σmax/σmin over D\'s layers in the last exact spectra (diagEvery); small D = largest share of singular values below 1 % of σmax.');
  return table.join('\n');
}

export async function compareCommand(argv: string[]): Promise<number> {
  const usage = (m: string) => {
    process.stderr.write(`sngan-studio compare: ${m}\n\n${compareHelp}\n`);
    return 2;
  };
  let flags: Record<string, string | boolean | string[]>;
  try {
    ({ flags } = parseFlags(argv, {
      dataset: 'string', workspace: 'string', steps: 'string', norms: 'string', presets: 'string', 'sn-iters': 'string', 'sn-update': 'string',
      config: 'string', set: 'multi', 'min-modes': 'string', 'min-hq': 'string', backend: 'string', json: 'boolean', help: 'boolean',
    }));
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
  if (flags.help) {
    process.stdout.write(compareHelp + '\n');
    return 0;
  }
  const json = flags.json === true;
  const workspace = typeof flags.workspace === 'string' ? path.resolve(flags.workspace) : '';
  if (!workspace) return usage('--workspace DIR is required');
  if (typeof flags.dataset !== 'string') return usage('--dataset is required');
  if (typeof flags.steps !== 'string' || !/^\d+$/.test(flags.steps) || Number(flags.steps) < 1) return usage('--steps N (a positive whole number) is required');

  let threshold;
  let base: Record<string, unknown> = {};
  let variants;
  try {
    threshold = { minModesFraction: frac(flags['min-modes'], 'min-modes', DEFAULT_THRESHOLD.minModesFraction), minHighQuality: frac(flags['min-hq'], 'min-hq', DEFAULT_THRESHOLD.minHighQuality) };
    const norms = list(flags.norms);
    const presets = list(flags.presets);
    const itersRaw = list(flags['sn-iters']);
    for (const n of norms ?? []) if (!(D_NORMS as readonly string[]).includes(n)) throw new UsageError(`unknown norm "${n}" (one of ${D_NORMS.join(', ')})`);
    for (const p of presets ?? []) if (!(p in PRESETS)) throw new UsageError(`unknown preset "${p}" (A–F)`);
    for (const i of itersRaw ?? []) if (!/^\d+$/.test(i) || Number(i) < 1 || Number(i) > 10) throw new UsageError(`--sn-iters values must be whole numbers 1–10, got "${i}"`);
    const snIters = itersRaw?.map(Number);
    const snUpdates = list(flags['sn-update']);
    for (const u of snUpdates ?? []) if (!(SN_UPDATES as readonly string[]).includes(u)) throw new UsageError(`--sn-update values must be ${SN_UPDATES.join(' or ')}, got "${u}"`);
    // Default study: the four stabilisers. A power-iteration sweep alone varies SN only.
    const effNorms = norms ?? ((snIters || snUpdates) && !presets ? ['sn'] : ['sn', 'gp', 'bn', 'none']);
    variants = buildVariants({ norms: effNorms, presets, snIters, snUpdates });
    if (typeof flags.config === 'string') {
      try {
        base = JSON.parse(await fs.readFile(flags.config, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new UsageError(`cannot read --config ${flags.config}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const s of (flags.set as string[] | undefined) ?? []) {
      try {
        base = parseSet(base, s);
      } catch (err) {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }
    }
    base.dataset = flags.dataset;
    base.steps = Number(flags.steps);
    if (typeof flags.backend === 'string') base.backend = flags.backend;
    try {
      variantConfigs(base, variants);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }

  const onSig = () => {
    cancelled = true;
  };
  let cancelled = false;
  process.on('SIGINT', onSig);
  let results: VariantResult[];
  try {
    results = await runComparison({
      workspace,
      base,
      variants,
      threshold,
      cancelled: () => cancelled,
      onVariantStart: (v, i, dir) => process.stderr.write(`[${i + 1}/${variants.length}] ${v.label}: ${dir}\n`),
    });
  } finally {
    process.off('SIGINT', onSig);
  }
  if (json) {
    process.stdout.write(
      JSON.stringify({
        dataset: flags.dataset,
        steps: Number(flags.steps),
        threshold,
        note: 'fid/kid (image datasets) are in the feature space of a classifier trained on the dataset labels, not Inception',
        variants: results.map((r) => ({ label: r.label, runDir: r.runDir, state: r.state, wallSec: r.wallSec, norm: r.config.d.norm, preset: r.config.preset, snIters: r.config.sn.iters, snUpdate: r.config.sn.update, ...r.summary, ...(r.image ? { image: r.image } : {}), ...(r.spectra ? { spectra: r.spectra } : {}) })),
      }) + '\n',
    );
  } else process.stdout.write(formatTable(results) + '\n');
  return results.length === variants.length ? 0 : 1;
}
