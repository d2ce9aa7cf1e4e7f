import { describe, expect, it } from 'vitest';
import { ema } from './ema';

describe('ema', () => {
  it('returns the raw values at weight 0', () => {
    expect(ema([1, 5, 3], 0)).toEqual([1, 5, 3]);
  });
  it('is debiased: a constant series stays constant', () => {
    for (const v of ema([2, 2, 2, 2], 0.9)) expect(v).toBeCloseTo(2, 10);
  });
  it('smooths towards the mean', () => {
    const out = ema([0, 10, 0, 10, 0, 10], 0.8) as number[];
    expect(Math.max(...out.slice(2))).toBeLessThan(10);
    expect(Math.min(...out.slice(2))).toBeGreaterThan(0);
  });
  it('passes gaps through as null without poisoning later points', () => {
    const out = ema([1, NaN, null, 1, Infinity], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNull();
    expect(out[3]).toBeCloseTo(1, 10);
    expect(out[4]).toBeNull();
  });
});
