import { describe, expect, it } from 'vitest';
import { AdaController } from './ada';

const opts = { target: 0.6, interval: 4, speedKimg: 1, p0: 0.5, adaptive: true };

describe('ADA adaptive p', () => {
  it('rises while r_t is above the target (D overconfident on reals), falls below it, at the fixed speed', () => {
    const up = new AdaController(opts);
    for (let i = 0; i < 4; i++) up.push(64 * 0.9, 64); // r_t = 0.9 > 0.6
    expect(up.rt).toBeCloseTo(0.9, 12);
    expect(up.p).toBeCloseTo(0.5 + 256 / 1000, 12); // 4 updates × 64 images of 1 kimg
    const down = new AdaController(opts);
    for (let i = 0; i < 4; i++) down.push(64 * 0.2, 64);
    expect(down.p).toBeCloseTo(0.5 - 256 / 1000, 12);
  });

  it('adjusts only once per interval, and clamps to [0, 1]', () => {
    const a = new AdaController(opts);
    for (let i = 0; i < 3; i++) a.push(64, 64);
    expect(a.p).toBe(0.5);
    expect(a.rt).toBeNull();
    for (let i = 0; i < 40; i++) a.push(64, 64);
    expect(a.p).toBe(1);
    for (let i = 0; i < 80; i++) a.push(-64, 64);
    expect(a.p).toBe(0);
  });

  it('tracks r_t but keeps p when not adaptive (DiffAugment: p = 1)', () => {
    const a = new AdaController({ ...opts, adaptive: false });
    for (let i = 0; i < 8; i++) a.push(64, 64);
    expect(a.p).toBe(1);
    expect(a.rt).toBe(1);
  });

  it('state round-trips: a restored controller continues identically', () => {
    const a = new AdaController(opts);
    for (let i = 0; i < 6; i++) a.push(40, 64);
    const b = new AdaController(opts);
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    for (let i = 0; i < 9; i++) {
      a.push(10 * i - 30, 64);
      b.push(10 * i - 30, 64);
    }
    expect(b.getState()).toEqual(a.getState());
  });
});
