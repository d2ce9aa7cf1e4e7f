import { describe, expect, it } from 'vitest';
import type { StudyRow } from '../../../shared/studies';
import { studyColumns, studyRunIds } from './study-table';

const summary = { lastStep: 30, finalDLoss: 1.2345, finalGLoss: 0.5, modesCovered: 7, modesTotal: 8, highQualityFraction: 0.625, klToUniform: 0.12, bestModesCovered: 8, stepsToQuality: 20, nonFinite: 0, sigmaExplosions: 0, alerts: { mode_collapse: 1 }, maxLipschitzBound: 3 };
const row = (over: Partial<StudyRow>): StudyRow => ({ label: 'sn', sets: ['d.norm=sn'], state: 'finished', runId: 'r1', wallSec: 12.34, summary, ...over });

describe('study table', () => {
  it('2D data: modes, HQ, KL, steps→Q; no image columns', () => {
    const d = { dataKind: 'points' as const, rows: [row({}), row({ label: 'none', runId: 'r2', diverged: true, state: 'stopped', summary: { ...summary, nonFinite: 1, modesCovered: null, finalDLoss: null, alerts: {} } })] };
    const cols = studyColumns(d);
    expect(cols.map((c) => c.label)).toEqual(['Variant', 'State', 'D loss', 'G loss', 'Modes ≥20', 'Modes ≥1', 'Best', 'HQ %', 'KL', 'Steps→Q', 'max ∏σ', 'Wall s', 'NaN', 'σ expl', 'Alerts']);
    const cells = (r: StudyRow) => cols.map((c) => c.cell(r));
    expect(cells(d.rows[0])).toEqual(['sn', 'finished', '1.234', '0.500', '7/8', '—', '8', '62.5', '0.120', '20', '3.00', '12.3', '0', '0', 'mode collapse ×1']);
    expect(cells(d.rows[1]).slice(0, 5)).toEqual(['none', 'diverged', '—', '0.500', '—']);
    expect(cells(d.rows[1])[12]).toBe('1');
    // studies recorded with VEEGAN/PacGAN's coverage show it beside the ≥ 20 rule
    expect(cells(row({ summary: { ...summary, modesCoveredAny: 8 } }))[5]).toBe('8/8');
    expect(studyRunIds({ rows: [...d.rows, row({ runId: undefined, state: 'pending' })] })).toEqual(['r1', 'r2']);
  });

  it('images: FID*/KID* only when a row has them, MS-SSIM always; κmax with spectra', () => {
    const img = row({ image: { step: 40, samples: 500, msssim: 0.25 }, spectra: { step: 40, dConditionMax: null, dSmallShareMax: 0.1 } });
    expect(studyColumns({ dataKind: 'images', rows: [img] }).map((c) => c.key)).toEqual(['variant', 'state', 'dLoss', 'gLoss', 'msssim', 'lip', 'kappa', 'wall', 'nan', 'sigma', 'alerts']);
    const labelled = row({ image: { step: 40, samples: 500, msssim: 0.25, fid: 12.345, kid: 0.0123 } });
    const cols = studyColumns({ dataKind: 'images', rows: [labelled] });
    expect(cols.map((c) => c.key)).toContain('fid');
    expect(cols.find((c) => c.key === 'fid')!.cell(labelled)).toBe('12.35');
    expect(cols.find((c) => c.key === 'fid')!.title).toMatch(/not Inception/);
    expect(studyColumns({ dataKind: 'images', rows: [img] }).find((c) => c.key === 'kappa')!.cell(img)).toBe('∞');
  });
});
