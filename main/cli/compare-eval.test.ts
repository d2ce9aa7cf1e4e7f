import { describe, expect, it } from 'vitest';
import { lastImageEval, lastSpectra, type VariantResult } from '../services/compare';
import { formatTable } from './compare';
import { parseConfig } from '../../shared/config';
import type { StreamEvent } from '../engine/alerts';

const spec = (name: string, condition: number | null, smallShare: number) => ({ name, rows: 4, cols: 4, count: 4, values: [1], sigmaMax: 1, condition, smallShare });

describe('comparison reads in-training evals and spectra', () => {
  const events = [
    { type: 'eval', step: 100, eval: { samples: 500, msssim: 0.3, classifierFid: 9, classifierKid: 0.2 } },
    { type: 'spectra', step: 100, spectra: [spec('D/a', 10, 0.1), spec('G/b', 1e9, 0.9)] },
    { type: 'eval', step: 200, eval: { samples: 500, msssim: 0.25, classifierFid: 4, classifierKid: 0.1 } },
    { type: 'spectra', step: 200, spectra: [spec('D/a', 20, 0.0), spec('D/c', 5, 0.25), spec('G/b', 1e9, 0.9)] },
    { type: 'metrics', step: 200, dLoss: 1, gLoss: 1, layers: [] },
  ] as unknown as StreamEvent[];

  it('the last eval and the last spectra over D layers only', () => {
    expect(lastImageEval(events)).toEqual({ source: 'eval', step: 200, samples: 500, msssim: 0.25, fid: 4, kid: 0.1 });
    expect(lastSpectra(events)).toEqual({ step: 200, dConditionMax: 20, dSmallShareMax: 0.25 });
    expect(lastSpectra([{ type: 'spectra', step: 1, spectra: [spec('D/a', null, 0.5)] }] as unknown as StreamEvent[])?.dConditionMax).toBeNull();
    expect(lastImageEval([])).toBeUndefined();
  });

  it('the table shows FID*/KID*/MS-SSIM with the sample count and the spectra columns', () => {
    const summary = { lastStep: 200, finalDLoss: 1, finalGLoss: 1, modesCovered: null, modesTotal: null, highQualityFraction: null, klToUniform: null, stepsToQuality: null, nonFinite: 0, sigmaExplosions: 0, alerts: {} };
    const r = { label: 'sn', runDir: '/x', state: 'finished', wallSec: 12.3, config: parseConfig({}), summary, image: lastImageEval(events), spectra: lastSpectra(events) } as unknown as VariantResult;
    const t = formatTable([r]);
    expect(t).toMatch(/FID\*\s+KID\*\s+n real\/fake\s+MS-SSIM\s+scales\s+κmax D\s+small D/);
    expect(t).toMatch(/4\.00\s+0\.100\s+-\/500\s+0\.250\s+-\s+20\.0\s+25%/);
    expect(t).toContain('not Inception-FID');
  });
});
