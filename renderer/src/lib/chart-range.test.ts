import { describe, expect, it } from 'vitest';
import { yRange } from './chart-range';

describe('yRange', () => {
  it('pads a flat series around its level', () => {
    const r = yRange([{ x: 0, y: 1 }, { x: 1, y: 1 + 2e-16 }])!;
    expect(r.min).toBeCloseTo(0.99, 6);
    expect(r.max).toBeCloseTo(1.01, 6);
  });
  it('leaves varied or empty series to chart.js', () => {
    expect(yRange([{ x: 0, y: 1 }, { x: 1, y: 2 }])).toBeNull();
    expect(yRange([{ x: 0, y: null }])).toBeNull();
  });
  it('handles zero', () => {
    const r = yRange([{ x: 0, y: 0 }])!;
    expect(r.min).toBeLessThan(0);
    expect(r.max).toBeGreaterThan(0);
  });
});
