import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { cachedClassifier, type ClassifierCache } from './classifier-store';
import { toUnit } from './classifier';
import { createImageEvaluator } from './image-eval';
import { toy } from './toy-images.test-util';

beforeAll(async () => {
  await initBackend();
});

/** The cache in memory (the folder implementation, runs/cache.ts, has its own test). */
function memoryCache(): ClassifierCache & { keys(): string[] } {
  const m = new Map<string, { json: string; weights: Uint8Array }>();
  return {
    load: async (k) => m.get(k) ?? null,
    save: async (k, e) => void m.set(k, { json: e.json, weights: e.weights.slice() }),
    where: (k) => `memory:${k}`,
    keys: () => [...m.keys()],
  };
}


describe('cached feature classifier and image eval (not Inception)', () => {
  it('trains once, then loads from the cache with identical features', async () => {
    const ws = memoryCache();
    {
      const d = toy(200, 1);
      const a = await cachedClassifier(ws, d, { epochs: 2 });
      expect(a.cached).toBe(false);
      const b = await cachedClassifier(ws, d, { epochs: 2 });
      expect(b.cached).toBe(true);
      expect(b.dir).toBe(a.dir);
      const x = toUnit(d.pixels.subarray(0, 10 * 144));
      expect(Array.from(b.clf.features(x, 10))).toEqual(Array.from(a.clf.features(x, 10)));
      // another dataset (different content) gets its own entry
      const c = await cachedClassifier(ws, { ...toy(200, 2), id: d.id }, { epochs: 2 });
      expect(c.cached).toBe(false);
      expect(ws.keys().length).toBe(2);
      [a, b, c].forEach((r) => r.clf.dispose());
    }
  });

  it('eval: real-like samples score a lower classifier FID than one-class samples; diversity in (0, 1)', async () => {
    const ws = memoryCache();
    {
      const d = toy(300, 3);
      const gen = (src: ReturnType<typeof toy>, oneClass: boolean) => async (n: number) => {
        const out = new Float32Array(n * 144);
        for (let i = 0; i < n; i++) {
          const j = oneClass ? (2 * i) % src.count : i % src.count;
          for (let p = 0; p < 144; p++) out[i * 144 + p] = (src.pixels[j * 144 + p] / 255) * 2 - 1;
        }
        return out;
      };
      const other = toy(300, 4); // fresh noise, same distribution
      const good = createImageEvaluator({ cache: ws, data: d, generate: gen(other, false), samples: 100, seed: 0, maxReal: 300 });
      const bad = createImageEvaluator({ cache: ws, data: d, generate: gen(other, true), samples: 100, seed: 0, maxReal: 300 });
      const g = await good.evaluate(10);
      const b = await bad.evaluate(10);
      expect(g.samples).toBe(100);
      expect(g.classifierFid!).toBeLessThan(b.classifierFid!);
      expect(g.classifierKid!).toBeLessThan(b.classifierKid!);
      expect(g.msssim!).toBeGreaterThan(0);
      expect(g.msssim!).toBeLessThan(1);
      // unlabelled data: diversity only
      const nolab = createImageEvaluator({ cache: ws, data: { ...d, labels: undefined }, generate: gen(other, false), samples: 50, seed: 0 });
      const u = await nolab.evaluate(10);
      expect(u.classifierFid).toBeUndefined();
      expect(u.msssim).toBeGreaterThan(0);
      [good, bad, nolab].forEach((e) => e.dispose());
    }
  });

  it('class-sorted data larger than the reference set: scores see every class, and record which images', async () => {
    const ws = memoryCache();
    // a class-folder import: all "left" images first, then all "bottom" ones
    const mixed = toy(400, 5);
    const order = [...Array(400).keys()].sort((a, b) => mixed.labels[a] - mixed.labels[b] || a - b);
    const d = { ...mixed, id: 'sorted', pixels: new Uint8Array(400 * 144), labels: Uint8Array.from(order, (i) => mixed.labels[i]) };
    order.forEach((j, i) => d.pixels.set(mixed.pixels.subarray(j * 144, (j + 1) * 144), i * 144));
    const other = toy(200, 6);
    const gen = (oneClass: boolean) => async (n: number) => {
      const out = new Float32Array(n * 144);
      for (let i = 0; i < n; i++) {
        const j = oneClass ? (2 * i) % 200 : i % 200; // even rows of toy() are class 0 ("left")
        for (let p = 0; p < 144; p++) out[i * 144 + p] = (other.pixels[j * 144 + p] / 255) * 2 - 1;
      }
      return out;
    };
    // 100 reference images of 400: the first 100 would all be "left", so a "left"-only generator would win
    const both = createImageEvaluator({ cache: ws, data: d, generate: gen(false), samples: 100, seed: 0, maxReal: 100 });
    const left = createImageEvaluator({ cache: ws, data: d, generate: gen(true), samples: 100, seed: 0, maxReal: 100 });
    const b = await both.evaluate(1);
    const l = await left.evaluate(1);
    expect(b.classifierFid!).toBeLessThan(l.classifierFid!);
    expect(b).toMatchObject({ samples: 100, realSamples: 100, realHeldOut: true, kidSubsets: 100, kidSubsetSize: 100, msssimScales: 1 });
    expect(b.realIndexHash).toMatch(/^[0-9a-f]{16}$/);
    expect(l.realIndexHash).toBe(b.realIndexHash);
    [both, left].forEach((e) => e.dispose());
  }, 60_000);
});
