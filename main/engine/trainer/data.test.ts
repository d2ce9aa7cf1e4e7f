import { describe, expect, it } from 'vitest';
import { dataSource } from './data';
import { Rng } from './rng';

describe('image batches', () => {
  const pixels = Uint8Array.from({ length: 8 * 4 }, (_, i) => (i * 37) % 256);
  const src = dataSource({ kind: 'images', id: 't', width: 2, height: 2, channels: 1, count: 8, pixels, classes: ['x'] });

  it('x/127.5 − 1 by default; with dequantize x/128 − 1 + U[0, 1/128), same images drawn', () => {
    const plain = src.batch(4, new Rng(1));
    const deq = src.batch(4, new Rng(1), true);
    const src8 = plain.x.map((v) => Math.round((v + 1) * 127.5));
    let differs = 0;
    for (let i = 0; i < deq.x.length; i++) {
      const lo = src8[i] / 128 - 1;
      expect(deq.x[i]).toBeGreaterThanOrEqual(lo - 1e-7);
      expect(deq.x[i]).toBeLessThanOrEqual(lo + 1 / 128 + 1e-7);
      if (Math.abs(deq.x[i] - lo) > 1e-6) differs++;
    }
    expect(differs).toBeGreaterThan(deq.x.length / 2);
    expect(Math.min(...plain.x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...plain.x)).toBeLessThanOrEqual(1);
  });
});
