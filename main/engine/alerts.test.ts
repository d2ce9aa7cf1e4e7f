import { describe, expect, it } from 'vitest';
import { createAlertMonitor, detectAlerts, slope, spectralCollapse, type StreamEvent } from './alerts';

const layer = (name: string, sigmaRaw: number, gradNorm = 1) => ({ name, sigmaRaw, sigmaBar: 1, gradNorm });
const m = (step: number, dLoss: number, gLoss: number, sigmas: number[] = [1, 1]): StreamEvent => ({
  type: 'metrics',
  step,
  dLoss,
  gLoss,
  layers: sigmas.map((s, i) => layer(`d${i}`, s)),
  lipschitzBound: 1,
});

describe('alerts', () => {
  it('a healthy stream raises nothing', () => {
    const s = Array.from({ length: 40 }, (_, i) => m(i * 10, 1.3 + 0.05 * Math.sin(i), 0.8 + 0.05 * Math.cos(i), [1 + 0.01 * i, 2]));
    expect(detectAlerts(s)).toEqual([]);
  });

  it('slope', () => {
    expect(slope([1, 2, 3, 4])).toBeCloseTo(1);
    expect(slope([4, 3, 2])).toBeCloseTo(-1);
    expect(slope([5])).toBe(0);
  });

  it('divergence: non-finite loss, NaN guard error, σ explosion — each once per episode', () => {
    const s = [m(10, 1, 1, [2, 1]), m(20, NaN, 1), m(30, NaN, 1), m(40, 1, 1), m(50, Infinity, 1)];
    const a = detectAlerts(s);
    expect(a.map((x) => [x.kind, x.cause, x.step])).toEqual([
      ['divergence', 'non_finite', 20],
      ['divergence', 'non_finite', 50],
    ]);
    const nan = detectAlerts([{ type: 'error', code: 'non_finite', step: 7, layer: 'd1', message: 'NaN in d1' }]);
    expect(nan).toEqual([{ kind: 'divergence', cause: 'non_finite', step: 7, severity: 'error', layer: 'd1', message: 'NaN in d1' }]);
    // σ of d0 grows 2 → 150 (×75, under the factor) then 300 (×150): one alert on d0 only
    const grow = [m(0, 1, 1, [2, 1]), m(10, 1, 1, [150, 1]), m(20, 1, 1, [300, 1]), m(30, 1, 1, [600, 1])];
    const g = detectAlerts(grow);
    expect(g.map((x) => [x.kind, x.cause, x.layer, x.step])).toEqual([['divergence', 'sigma_explosion', 'd0', 20]]);
    // absolute ceiling
    expect(detectAlerts([m(0, 1, 1, [5e4, 1])]).map((x) => x.layer)).toEqual(['d0']);
    // non-finite σ in a layer
    expect(detectAlerts([m(0, 1, 1, [1, NaN])]).map((x) => [x.cause, x.layer])).toEqual([['non_finite', 'd1']]);
  });

  it('D overpowering: D loss → 0 while G loss rises over the window', () => {
    const s: StreamEvent[] = [];
    for (let i = 0; i < 10; i++) s.push(m(i, 1.2, 0.9)); // balanced
    for (let i = 10; i < 20; i++) s.push(m(i, 0.01, 1 + 0.5 * (i - 10))); // D wins, G loss climbs
    const a = detectAlerts(s, { window: 5 });
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: 'd_overpowering', step: 14 });
    // D loss near 0 but G loss flat: not an alert
    expect(detectAlerts(Array.from({ length: 10 }, (_, i) => m(i, 0.01, 3)))).toEqual([]);
    // G loss rising but D loss healthy: not an alert
    expect(detectAlerts(Array.from({ length: 10 }, (_, i) => m(i, 1.0, i)))).toEqual([]);
  });

  it('spectral collapse from a layer spectrum', () => {
    const healthy = { name: 'd0', values: [3, 2.5, 2, 1.5, 1] };
    const collapsed = { name: 'd1', values: [3, 1e-4, 1e-5, 1e-6, 0] };
    expect(spectralCollapse(5, healthy)).toBeNull();
    expect(spectralCollapse(5, collapsed)).toMatchObject({ kind: 'spectral_collapse', layer: 'd1', step: 5 });
    const mon = createAlertMonitor();
    expect(mon.push({ type: 'metrics', step: 1, dLoss: 1, gLoss: 1, layers: [], spectra: [healthy, collapsed] }).map((x) => x.layer)).toEqual(['d1']);
    expect(mon.push({ type: 'metrics', step: 2, dLoss: 1, gLoss: 1, layers: [], spectra: [healthy, collapsed] })).toEqual([]);
  });

  it('spectral collapse from a trainer spectra event: smallShare counts values left out of the top 256', () => {
    const values = Array.from({ length: 256 }, (_, i) => 10 - i * 0.01); // all above 1 % of σ_max
    const rec = { name: 'D/conv1', rows: 512, cols: 4608, count: 512, values, sigmaMax: 10, condition: 1e6, smallShare: 0.5 };
    expect(spectralCollapse(500, rec)).toBeNull(); // exactly half: not more than collapsedShare
    const bad = { ...rec, smallShare: 0.6 };
    expect(spectralCollapse(500, bad)).toMatchObject({ layer: 'D/conv1', message: expect.stringContaining('307/512') });
    const mon = createAlertMonitor();
    expect(mon.push({ type: 'spectra', step: 500, spectra: [bad] })).toHaveLength(1);
    // without smallShare, a truncated healthy record is not called collapsed
    expect(spectralCollapse(500, { name: 'x', values, count: 512 })).toBeNull();
  });

  it('mode collapse on 2D data: coverage falls below half its best', () => {
    const ev = (step: number, modesCovered: number): StreamEvent => ({ type: 'sample', step, eval: { modesCovered, modesTotal: 25 } });
    const a = detectAlerts([ev(100, 5), ev(200, 20), ev(300, 18), ev(400, 9), ev(500, 4), ev(600, 22), ev(700, 3)]);
    expect(a.map((x) => [x.kind, x.step])).toEqual([
      ['mode_collapse', 400],
      ['mode_collapse', 700],
    ]);
    expect(a[0].message).toMatch(/9\/25.*best of 20/);
  });
});

describe('overfitting alert', () => {
  const m = (step: number, dTrainMean: number, dHeldOutMean: number, augMode = 'off', augP?: number) =>
    ({ type: 'metrics', step, dLoss: 1, gLoss: 1, dFake: -1, dTrainMean, dHeldOutMean, augMode, ...(augP !== undefined ? { augP } : {}), layers: [] });
  /** D_heldout for a wanted share (D_train 1, D_fake −1). */
  const held = (share: number) => 1 - 2 * share;
  const fired = (stream: StreamEvent[]) => detectAlerts(stream).filter((x) => x.kind === 'overfitting');

  it('fires once when held-out reals drift towards fakes for a sustained window, with augmentation off', () => {
    const stream = [...[1, 2, 3].map((s) => m(s * 50, 1, 0.9)), ...[4, 5, 6, 7, 8, 9].map((s) => m(s * 50, 1, -0.5))];
    const a = fired(stream);
    expect(a.length).toBe(1);
    expect(a[0].step).toBe(350); // the window's mean passes 0.5 at the fourth gapped log: (4 × 0.75 + 0.05) / 5
    expect(a[0].message).toMatch(/61 %/);
    expect(a[0].message).toMatch(/aug\.mode=ada or diffaugment/);
  });

  it('a gap that swings from log to log (as in a real 200-image run) still fires: the window is averaged', () => {
    const shares = [0.41, 0.77, 1.2, 0.65, 0.35, 1.19, 0.85, 0.32, 0.52, 0.9];
    const a = fired(shares.map((x, i) => m(1550 + 50 * i, 1, held(x))));
    expect(a.map((x) => x.step)).toEqual([1750]); // mean of the first five: 0.68
  });

  it('ADA that has not reacted yet is watched like off, and the message says what to change; ADA at work is not', () => {
    const idle = fired([1, 2, 3, 4, 5].map((s) => m(s, 1, held(0.8), 'ada', 0.01)));
    expect(idle.length).toBe(1);
    expect(idle[0].message).toMatch(/ADA's p is only 0\.010.*aug\.speedKimg/);
    expect(fired([1, 2, 3, 4, 5].map((s) => m(s, 1, held(0.8), 'ada', 0.3)))).toEqual([]);
    // p rising mid-window starts the count over
    expect(fired([m(1, 1, held(0.8), 'ada', 0.01), m(2, 1, held(0.8), 'ada', 0.01), m(3, 1, held(0.8), 'ada', 0.2), m(4, 1, held(0.8), 'ada', 0.01), m(5, 1, held(0.8), 'ada', 0.01), m(6, 1, held(0.8), 'ada', 0.01)])).toEqual([]);
  });

  it('stays quiet with DiffAugment on, for a short spike, or without a gauge', () => {
    expect(fired([1, 2, 3, 4, 5, 6].map((s) => m(s, 1, -0.5, 'diffaugment')))).toEqual([]);
    const spike = [0.05, 0.05, 0.05, 0.9, 0.9, 0.05, 0.05, 0.05, 0.05].map((x, i) => m(i, 1, held(x)));
    expect(fired(spike)).toEqual([]); // the window's mean peaks at 0.39
    expect(detectAlerts([1, 2, 3, 4, 5, 6].map((s) => ({ type: 'metrics', step: s, dLoss: 1, gLoss: 1, layers: [] }))).length).toBe(0);
  });
});
