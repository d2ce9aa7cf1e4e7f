import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, formatPercent, formatRate } from './format';

describe('format', () => {
  it('durations', () => {
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 05s');
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe('3h 07m');
  });
  it('numbers', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(12000)).toBe('12,000');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1.5e-5)).toBe('1.50e-5');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(undefined)).toBe('—');
  });
  it('rates and percents', () => {
    expect(formatRate(25.4)).toBe('25 steps/s');
    expect(formatRate(2.25)).toBe('2.3 steps/s');
    expect(formatRate(0.5)).toBe('2.0 s/step');
    expect(formatPercent(5, 10)).toBe('50%');
    expect(formatPercent(5, 0)).toBe('0%');
  });
});
