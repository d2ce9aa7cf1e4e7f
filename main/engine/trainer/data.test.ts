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

describe('held-out slice (overfitting gauge)', () => {
  // 1×1 RGB images whose pixel spells their index, so a batch says which images it drew
  const count = 400;
  const pixels = Uint8Array.from({ length: count * 3 }, (_, q) => (q % 3 === 0 ? (q / 3) & 255 : q % 3 === 1 ? (q - 1) / 3 >> 8 : 0));
  const td = { kind: 'images' as const, id: 'ix', width: 1, height: 1, channels: 3 as const, count, pixels, classes: ['x'] };
  const ids = (x: Float32Array) => Array.from({ length: x.length / 3 }, (_, i) => Math.round((x[3 * i] + 1) * 127.5) + 256 * Math.round((x[3 * i + 1] + 1) * 127.5));

  it('is carved with the seed, disjoint from every training batch, and drawn from by its own batches only', () => {
    const src = dataSource(td, { heldOut: 0.25, seed: 9, batch: 32 });
    const held = new Set(src.heldOut!.indices);
    expect(held.size).toBe(100);
    expect(src.count).toBe(300);
    const r = new Rng(2);
    const trainSeen = new Set<number>();
    for (let i = 0; i < 50; i++) for (const k of ids(src.batch(32, r).x)) trainSeen.add(k);
    for (const k of trainSeen) expect(held.has(k)).toBe(false);
    expect(trainSeen.size).toBeGreaterThan(250);
    for (const k of ids(src.heldOut!.batch(64, r).x)) expect(held.has(k)).toBe(true);
    // the same seed carves the same slice; another seed another one
    expect(dataSource(td, { heldOut: 0.25, seed: 9, batch: 32 }).heldOut!.hash).toBe(src.heldOut!.hash);
    expect(dataSource(td, { heldOut: 0.25, seed: 10, batch: 32 }).heldOut!.hash).not.toBe(src.heldOut!.hash);
  });

  it('without a slice batches draw exactly as before (same RNG use, same images)', () => {
    const plain = dataSource(td);
    const none = dataSource(td, { heldOut: 0, seed: 9, batch: 32 });
    expect(Array.from(none.batch(16, new Rng(4)).x)).toEqual(Array.from(plain.batch(16, new Rng(4)).x));
    expect(none.heldOut).toBeUndefined();
  });

  it('refuses tiny datasets with a message that says the minimum and why', () => {
    expect(() => dataSource({ ...td, count: 20, pixels: pixels.slice(0, 60) }, { seed: 0, batch: 64 })).toThrow(/20 images, fewer than the batch \(64\)/);
    expect(() => dataSource({ ...td, count: 150, pixels: pixels.slice(0, 450) }, { heldOut: 0.1, seed: 0, batch: 16 })).toThrow(/needs at least 200.*holds out 100/);
    // unset: the gauge only where the dataset can spare it
    expect(dataSource({ ...td, count: 150, pixels: pixels.slice(0, 450) }, { seed: 0, batch: 16 }).heldOut).toBeUndefined();
  });
});
