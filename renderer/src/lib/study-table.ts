/** A study's summary table: which columns apply to its data and rows, and how each cell reads. Pure. */
import type { StudyDetail, StudyRow } from '../../../shared/studies';

export interface StudyColumn {
  key: string;
  label: string;
  /** Tooltip / accessible description of the column. */
  title: string;
  numeric: boolean;
  cell: (r: StudyRow) => string;
}

const DASH = '—';
const fix = (v: number | null | undefined, d: number): string => (v == null ? DASH : v.toFixed(d));

const ALL: (StudyColumn & { applies: (d: Pick<StudyDetail, 'dataKind' | 'rows'>) => boolean })[] = [
  { key: 'variant', label: 'Variant', title: 'The settings this run varies', numeric: false, applies: () => true, cell: (r) => r.label },
  { key: 'state', label: 'State', title: 'How the run ended', numeric: false, applies: () => true, cell: (r) => (r.diverged ? 'diverged' : r.state) },
  { key: 'dLoss', label: 'D loss', title: 'Final discriminator loss', numeric: true, applies: () => true, cell: (r) => fix(r.summary?.finalDLoss, 3) },
  { key: 'gLoss', label: 'G loss', title: 'Final generator loss', numeric: true, applies: () => true, cell: (r) => fix(r.summary?.finalGLoss, 3) },
  {
    key: 'modes', label: 'Modes ≥20', title: 'Modes covered at the last evaluation: ≥ 20 high-quality samples each (the app’s rule)', numeric: true, applies: (d) => d.dataKind === 'points',
    cell: (r) => (r.summary?.modesCovered == null ? DASH : `${r.summary.modesCovered}/${r.summary.modesTotal ?? '?'}`),
  },
  {
    key: 'modesAny', label: 'Modes ≥1', title: 'Modes with at least one high-quality sample nearest to them (VEEGAN/PacGAN’s definition); “Modes ≥20” counts those with ≥ 20', numeric: true, applies: (d) => d.dataKind === 'points',
    cell: (r) => (r.summary?.modesCoveredAny == null ? DASH : `${r.summary.modesCoveredAny}/${r.summary.modesTotal ?? '?'}`),
  },
  {
    key: 'bestModes', label: 'Best', title: 'Most modes covered at any evaluation (coverage on 2D toys fluctuates between evaluations)', numeric: true, applies: (d) => d.dataKind === 'points',
    cell: (r) => (r.summary?.bestModesCovered == null ? DASH : String(r.summary.bestModesCovered)),
  },
  { key: 'hq', label: 'HQ %', title: 'Share of samples within 3σ of a mode', numeric: true, applies: (d) => d.dataKind === 'points', cell: (r) => (r.summary?.highQualityFraction == null ? DASH : (100 * r.summary.highQualityFraction).toFixed(1)) },
  { key: 'kl', label: 'KL', title: 'KL divergence of the mode histogram to uniform', numeric: true, applies: (d) => d.dataKind === 'points', cell: (r) => fix(r.summary?.klToUniform, 3) },
  { key: 'stepsToQ', label: 'Steps→Q', title: 'First evaluated step reaching the quality threshold (90 % of modes, 50 % high-quality)', numeric: true, applies: (d) => d.dataKind === 'points', cell: (r) => (r.summary?.stepsToQuality == null ? DASH : r.summary.stepsToQuality.toLocaleString('en-US')) },
  { key: 'fid', label: 'FID*', title: 'FID in the feature space of a classifier trained on this dataset’s labels (not Inception)', numeric: true, applies: (d) => d.dataKind === 'images' && d.rows.some((r) => r.image?.fid != null), cell: (r) => fix(r.image?.fid, 2) },
  { key: 'kid', label: 'KID*', title: 'KID in the same classifier feature space (not Inception)', numeric: true, applies: (d) => d.dataKind === 'images' && d.rows.some((r) => r.image?.kid != null), cell: (r) => fix(r.image?.kid, 3) },
  { key: 'msssim', label: 'MS-SSIM', title: 'Mean MS-SSIM between random pairs of generated samples (lower = more diverse)', numeric: true, applies: (d) => d.dataKind === 'images', cell: (r) => fix(r.image?.msssim, 3) },
  {
    key: 'lip', label: 'max ∏σ', title: 'Largest product of the layers’ spectral norms (an upper bound on D’s Lipschitz constant) seen in the run', numeric: true, applies: (d) => d.rows.some((r) => r.summary?.maxLipschitzBound != null),
    cell: (r) => (r.summary?.maxLipschitzBound == null ? DASH : r.summary.maxLipschitzBound.toPrecision(3)),
  },
  {
    key: 'kappa', label: 'κmax D', title: 'Largest condition number σmax/σmin over D’s layers in the last exact spectra', numeric: true, applies: (d) => d.rows.some((r) => r.spectra),
    cell: (r) => (!r.spectra ? DASH : r.spectra.dConditionMax == null ? '∞' : r.spectra.dConditionMax.toPrecision(3)),
  },
  { key: 'wall', label: 'Wall s', title: 'Wall-clock seconds for the run', numeric: true, applies: () => true, cell: (r) => fix(r.wallSec, 1) },
  { key: 'nan', label: 'NaN', title: 'Non-finite events (divergences)', numeric: true, applies: () => true, cell: (r) => (r.summary ? String(r.summary.nonFinite) : DASH) },
  { key: 'sigma', label: 'σ expl', title: 'Raw-weight σ explosions', numeric: true, applies: () => true, cell: (r) => (r.summary ? String(r.summary.sigmaExplosions) : DASH) },
  {
    key: 'alerts', label: 'Alerts', title: 'Training alerts raised, by kind', numeric: false, applies: () => true,
    cell: (r) => (!r.summary ? DASH : Object.entries(r.summary.alerts).map(([k, n]) => `${k.replace(/_/g, ' ')} ×${n}`).join(', ') || DASH),
  },
];

/** The columns that apply to this study's data kind and what its rows recorded. */
export function studyColumns(d: Pick<StudyDetail, 'dataKind' | 'rows'>): StudyColumn[] {
  return ALL.filter((c) => c.applies(d)).map(({ applies: _a, ...c }) => c);
}

/** The runs a study has made so far, in variant order (for the overlaid charts). */
export function studyRunIds(d: Pick<StudyDetail, 'rows'>): string[] {
  return d.rows.flatMap((r) => (r.runId ? [r.runId] : []));
}

export const STUDY_KIND_LABELS = {
  stabilisers: 'Stabilisers (sn, gp, bn, none…)',
  'sn-iters': 'SN power iterations (1, 5, 10)',
  presets: 'Adam presets A–F × norms',
  augmentation: 'Augmentation: none / DiffAugment / ADA',
} as const;
