import { describe, expect, it } from 'vitest';
import { alertsOf, conditionNumber, latestSpectra, layerSeries, mergeRows, prepare, scalarSeries } from './metrics';
import { LayerSpectrum, TrainerEvent } from '../../../shared/events';

const rows = [
  { step: 10, dLoss: 1, gLoss: 2, layers: [{ name: 'd.l1', sigmaRaw: 3, sigmaBar: 1, gradNorm: 0.1 }], eval: { modesCovered: 4 } },
  { step: 20, dLoss: 0.5, layers: [{ name: 'd.l1', sigmaRaw: 3.5, sigmaBar: 1.01, gradNorm: 0.2 }, { name: 'd.l2', sigmaRaw: 2, sigmaBar: 1, gradNorm: 0.3 }] },
  { step: 30, dLoss: NaN, spectra: [{ name: 'd.l1', values: [4, 2, 1] }] },
  { nostep: true },
];

describe('metrics', () => {
  it('extracts scalar series by step, including eval keys and NaN', () => {
    expect(scalarSeries(rows, 'dLoss').map((p) => p.x)).toEqual([10, 20, 30]);
    expect(scalarSeries(rows, 'gLoss')).toEqual([{ x: 10, y: 2 }]);
    expect(scalarSeries(rows, 'modesCovered')).toEqual([{ x: 10, y: 4 }]);
  });
  it('groups per-layer series by name', () => {
    const s = layerSeries(rows, 'sigmaRaw');
    expect([...s.keys()]).toEqual(['d.l1', 'd.l2']);
    expect(s.get('d.l1')).toEqual([{ x: 10, y: 3 }, { x: 20, y: 3.5 }]);
  });
  it('finds the latest spectra and computes the condition number', () => {
    const { step, spectra } = latestSpectra(rows);
    expect(step).toBe(30);
    expect(spectra[0]).toEqual({ name: 'd.l1', values: [4, 2, 1], condition: 4 });
    expect(conditionNumber([])).toBeNull();
  });
  it('prepares raw and smoothed lines', () => {
    const pts = Array.from({ length: 2000 }, (_, i) => ({ x: i, y: Math.sin(i) }));
    const p = prepare(pts, 0.9, 400);
    expect(p.raw.length).toBeLessThanOrEqual(400);
    expect(p.smooth!.length).toBeLessThanOrEqual(400);
    expect(prepare(pts, 0).smooth).toBeNull();
  });
  it('merges rows without duplicating steps', () => {
    const a = [{ step: 1 }, { step: 2 }];
    mergeRows(a, [{ step: 2 }, { step: 3 }, { step: 3 }]);
    expect(a.map((r) => r.step)).toEqual([1, 2, 3]);
  });
  it('keeps a late spectra row and an alert at a step that already has a metrics row', () => {
    const a: Record<string, unknown>[] = [{ type: 'metrics', step: 500 }, { type: 'metrics', step: 550 }];
    mergeRows(a, [{ type: 'spectra', step: 500, spectra: [] }, { type: 'alert', step: 550, kind: 'divergence', severity: 'error', message: 'x' }, { type: 'metrics', step: 550 }]);
    expect(a.map((r) => `${r.type}:${r.step}`)).toEqual(['metrics:500', 'metrics:550', 'spectra:500', 'alert:550']);
    expect(alertsOf(a)).toEqual([{ step: 550, kind: 'divergence', severity: 'error', message: 'x' }]);
  });
  it('reads the trainer spectra record (shared LayerSpectrum schema): truncated values, null condition', () => {
    const rec: LayerSpectrum = { name: 'D/conv1', rows: 512, cols: 4608, count: 512, values: [9, 3, 1], sigmaMax: 9, condition: null, smallShare: 0.25 };
    const ev: TrainerEvent = { type: 'spectra', step: 500, spectra: [rec, { ...rec, name: 'G/fc', count: 3, condition: 9 }] };
    const { step, spectra } = latestSpectra([ev as unknown as Record<string, unknown>]);
    expect(step).toBe(500);
    expect(spectra[0]).toEqual({ name: 'D/conv1', values: [9, 3, 1], condition: Infinity, count: 512, sigmaMax: 9, smallShare: 0.25 });
    expect(spectra[1].condition).toBe(9);
    // without the trainer's condition, a truncated list does not pretend to know σmin
    expect(latestSpectra([{ step: 1, spectra: [{ name: 'x', values: [4, 2], count: 10 }] }]).spectra[0].condition).toBeUndefined();
  });
});
