import { describe, expect, it } from 'vitest';
import { fieldRgba, fieldScale, fooledShare, toXY } from './field';

describe('decision field colours', () => {
  const white: [number, number, number] = [255, 255, 255];
  it('is the background at the boundary, green where D says real, purple where it says fake', () => {
    const px = fieldRgba([0, 4, -4, 1], 2, white);
    expect(Array.from(px.slice(0, 4))).toEqual([255, 255, 255, 255]);
    const [r, g, b] = px.slice(4, 7);
    expect(g).toBeGreaterThan(r);
    expect(g).toBeGreaterThan(b);
    const [r2, g2, b2] = px.slice(8, 11);
    expect(b2).toBeGreaterThan(g2);
    expect(r2).toBeGreaterThan(g2);
    // weaker verdict, weaker tint
    expect(px[12]).toBeGreaterThan(r);
  });
  it('rejects a field of the wrong size and treats NaN as the boundary', () => {
    expect(() => fieldRgba([1, 2, 3], 2, white)).toThrow(/2×2/);
    expect(Array.from(fieldRgba([NaN], 1, [10, 20, 30]))).toEqual([10, 20, 30, 255]);
    expect(fieldScale([0, 0])).toBe(1);
    expect(fieldScale([-3, 2, NaN])).toBe(3);
  });
});

describe('points helpers', () => {
  it('toXY pairs a flat array', () => {
    expect(toXY([1, 2, 3, 4, 5])).toEqual([{ x: 1, y: 2 }, { x: 3, y: 4 }]);
  });
  it('fooledShare counts fake points in cells where D says real', () => {
    // 2×2 field over [0,2]²: top-left real (+), others fake
    const field = { n: 2, bounds: [0, 2, 0, 2], values: [1, -1, -1, -1] };
    expect(fooledShare([0.5, 1.5, 1.5, 0.5], field)).toBe(0.5);
    expect(fooledShare([5, 5], field)).toBe(0);
  });
});
