import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { parseConfig } from '../../../shared/config';
import { TOYS_2D, sampleMixture } from '../../../shared/toys2d';
import { dataSource } from './data';
import { Trainer } from './trainer';
import { decisionField, fieldBounds, gridPoints, realPoints } from './field';

const ring = TOYS_2D.ring8;
const ring8 = () => dataSource({ kind: 'points', id: 'ring8', modes: ring.modes, std: ring.std, classes: [], sample: (n, r) => sampleMixture(ring.modes, ring.std, n, r) });

beforeAll(async () => {
  await initBackend();
});

describe('fieldBounds', () => {
  it('is a padded square centred on the points and modes', () => {
    const [x0, x1, y0, y1] = fieldBounds([0, 0, 4, 1], [[2, -1]], 0.25);
    // extent x 0..4 (4), y -1..1 (2): side 4 padded to 6, centred on (2, 0)
    expect([x0, x1, y0, y1]).toEqual([-1, 5, -3, 3]);
    expect(x1 - x0).toBeCloseTo(y1 - y0);
  });
  it('contains every ring8 mode with room to spare', () => {
    const b = fieldBounds([], ring.modes);
    for (const [x, y] of ring.modes) {
      expect(x).toBeGreaterThan(b[0]);
      expect(x).toBeLessThan(b[1]);
      expect(y).toBeGreaterThan(b[2]);
      expect(y).toBeLessThan(b[3]);
    }
    expect(b[1]).toBeGreaterThan(2.5);
  });
  it('ignores non-finite values and falls back to [-1, 1]² when empty', () => {
    expect(fieldBounds([NaN, 1, Infinity, 2])).toEqual([-1, 1, -1, 1]);
    expect(fieldBounds([])).toEqual([-1, 1, -1, 1]);
  });
});

describe('gridPoints', () => {
  it('puts cell centres top row first, left to right', () => {
    const g = gridPoints([0, 4, 0, 2], 2);
    expect(Array.from(g)).toEqual([1, 1.5, 3, 1.5, 1, 0.5, 3, 0.5]);
  });
});

describe('decisionField', () => {
  it("evaluates D on the grid: n×n finite logits equal to D's own output there", async () => {
    const tr = new Trainer(parseConfig({ batch: 16, zdim: 4, d: { ch: 16 }, g: { ch: 16 } }), ring8());
    const real = realPoints(tr, 100);
    expect(real).toHaveLength(200);
    expect(Array.from(realPoints(tr, 100))).toEqual(Array.from(real));
    const bounds = fieldBounds(real, tr.data.modes);
    const f = await decisionField(tr, bounds, 12);
    expect(f.n).toBe(12);
    expect(f.values).toHaveLength(144);
    expect(f.values.every(Number.isFinite)).toBe(true);
    // the top-left cell is D at (x0 + w/24, y1 - h/24)
    const { tensor2d } = await import('@tensorflow/tfjs');
    const w = bounds[1] - bounds[0];
    const x = tensor2d([bounds[0] + w / 24, bounds[3] - (bounds[3] - bounds[2]) / 24], [1, 2]);
    const d = tr.D.apply(x);
    expect(f.values[0]).toBeCloseTo((await d.data())[0], 4);
    // not a constant field: D depends on its input
    expect(Math.max(...f.values) - Math.min(...f.values)).toBeGreaterThan(0);
  });
});
