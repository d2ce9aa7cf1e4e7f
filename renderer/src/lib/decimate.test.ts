import { describe, expect, it } from 'vitest';
import { decimate, type Pt } from './decimate';

const series = (n: number, f: (i: number) => number | null): Pt[] => Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

describe('decimate', () => {
  it('leaves short series alone', () => {
    const s = series(10, (i) => i);
    expect(decimate(s, 100)).toEqual(s);
  });
  it('caps the number of points and keeps the ends', () => {
    const out = decimate(series(10_000, (i) => Math.sin(i / 50)), 500);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out[0].x).toBe(0);
    expect(out[out.length - 1].x).toBe(9999);
  });
  it('keeps spikes and x order', () => {
    const out = decimate(series(10_000, (i) => (i === 4321 ? 1000 : i === 777 ? -50 : 0)), 200);
    expect(out.some((p) => p.y === 1000)).toBe(true);
    expect(out.some((p) => p.y === -50)).toBe(true);
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
  });
  it('keeps a gap marker for buckets with no finite values', () => {
    const out = decimate(series(1000, (i) => (i > 400 && i < 600 ? null : 1)), 50);
    expect(out.some((p) => p.y === null)).toBe(true);
  });
});
