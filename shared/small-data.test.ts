import { describe, expect, it } from 'vitest';
import { parseConfig } from './config';
import { augOps, datasetSizeProblem, effectiveAugMode, heldOutCount } from './small-data';

describe('small-data rules', () => {
  const c = (o: object = {}) => parseConfig({ batch: 64, ...o });

  it("'auto' (the default) is ADA below 5,000 images, off above and for 2D points", () => {
    expect(c().aug.mode).toBe('auto');
    expect(effectiveAugMode(c(), 'images', 4999)).toBe('ada');
    expect(effectiveAugMode(c(), 'images', 5000)).toBe('off');
    expect(effectiveAugMode(c(), 'points', 10)).toBe('off');
    expect(effectiveAugMode(c({ aug: { mode: 'ada' } }), 'images', 60000)).toBe('ada');
    expect(effectiveAugMode(c({ aug: { mode: 'off' } }), 'images', 100)).toBe('off');
    expect(effectiveAugMode(c({ aug: { mode: 'diffaugment' } }), 'images', 60000)).toBe('diffaugment');
  });

  it('the policy string lists ops in the order they apply', () => {
    expect(augOps('cutout, color')).toEqual(['color', 'cutout']);
    expect(augOps(c().aug.policy)).toEqual(['color', 'translation', 'cutout']);
    expect(() => c({ aug: { policy: 'color,flip' } })).toThrow(/comma-separated/);
  });

  it('the held-out slice: 5 % (at least 100) where the dataset can spare it', () => {
    expect(heldOutCount(60000, c())).toBe(3000);
    expect(heldOutCount(1000, c())).toBe(100);
    expect(heldOutCount(199, c())).toBe(0); // 99 left would be fewer than the 100 held out
    expect(heldOutCount(1000, c({ heldOut: 0 }))).toBe(0);
    expect(heldOutCount(1000, c({ heldOut: 0.2 }))).toBe(200);
  });

  it('tiny datasets get a reason that names the minimum', () => {
    expect(datasetSizeProblem(1000, c())).toBeNull();
    expect(datasetSizeProblem(64, c())).toBeNull();
    expect(datasetSizeProblem(63, c())).toMatch(/63 images, fewer than the batch \(64\).*at most 63/);
    expect(datasetSizeProblem(150, c({ heldOut: 0.05 }))).toMatch(/needs at least 200/);
    expect(datasetSizeProblem(150, c({ heldOut: 0.05 }))).toMatch(/heldOut/);
  });
});

describe('run folders from before augmentation', () => {
  it('keep training as they did: no augmentation, no held-out slice', async () => {
    const { parseRunConfig } = await import('./config');
    const old = parseRunConfig({ dataset: 'x', batch: 16 });
    expect(old.aug.mode).toBe('off');
    expect(old.heldOut).toBe(0);
    const fresh = parseRunConfig(JSON.parse(JSON.stringify(parseConfig({ dataset: 'x' }))));
    expect(fresh.aug.mode).toBe('auto');
    expect(fresh.heldOut).toBeUndefined();
  });
});
