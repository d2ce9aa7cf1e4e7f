import { describe, expect, it } from 'vitest';
import { summarizeRun } from './summary';
import type { StreamEvent } from '../alerts';

describe('summarizeRun', () => {
  it('final losses, last eval, steps to the quality threshold, divergences', () => {
    const ev = (step: number, modesCovered: number, hq: number) => ({ modesCovered, modesTotal: 8, highQualityFraction: hq, klToUniform: 0.1 });
    const layers = (s: number) => [{ name: 'd0', sigmaRaw: s, sigmaBar: 1, gradNorm: 1 }];
    const s: StreamEvent[] = [
      { type: 'metrics', step: 10, dLoss: 1.3, gLoss: 0.7, layers: layers(1), lipschitzBound: 1 },
      { type: 'sample', step: 20, eval: ev(20, 5, 0.6) },
      { type: 'metrics', step: 20, dLoss: 1.2, gLoss: 0.8, layers: layers(1), lipschitzBound: 2, eval: ev(20, 5, 0.6) },
      { type: 'sample', step: 40, eval: ev(40, 8, 0.7) },
      { type: 'metrics', step: 40, dLoss: 1.1, gLoss: 0.9, layers: layers(500), lipschitzBound: 1.5, eval: ev(40, 8, 0.7) },
      { type: 'error', step: 45, code: 'non_finite', message: 'NaN' },
    ];
    const r = summarizeRun(s);
    expect(r).toMatchObject({
      lastStep: 40,
      finalDLoss: 1.1,
      finalGLoss: 0.9,
      modesCovered: 8,
      modesTotal: 8,
      highQualityFraction: 0.7,
      bestModesCovered: 8,
      stepsToQuality: 40,
      nonFinite: 1,
      sigmaExplosions: 1,
      maxLipschitzBound: 2,
    });
    expect(r.alerts).toEqual({ divergence: 2 });
    expect(summarizeRun(s, { minModesFraction: 0.5, minHighQuality: 0.5 }).stepsToQuality).toBe(20);
    expect(summarizeRun([]).modesCovered).toBeNull();
    // both coverage counts and the sample count of the last 2D eval
    const both = summarizeRun([{ type: 'sample', step: 5, eval: { modesCovered: 3, modesCoveredAny: 7, modesTotal: 8, highQualityFraction: 0.5, samples: 2500 } }]);
    expect(both).toMatchObject({ modesCovered: 3, modesCoveredAny: 7, evalSamples: 2500 });
  });
});
