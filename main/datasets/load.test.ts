import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainingData } from './load';
import { builtinSummaries } from './builtin';
import { modeCoverage } from '../../shared/toys2d';
import { png } from './test-fixtures';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-load-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('loadTrainingData', () => {
  it('gives point samplers for the 2D toys', async () => {
    const d = await loadTrainingData('builtin:ring8', root);
    if (d.kind !== 'points') throw new Error('expected points');
    expect(d.modes).toHaveLength(8);
    let s = 42;
    const rng = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const pts = d.sample(1000, rng);
    expect(pts).toHaveLength(2000);
    expect(modeCoverage(pts, d.modes, d.std).highQualityFraction).toBeGreaterThan(0.97);
    await expect(loadTrainingData('builtin:nope', root)).rejects.toThrow(/Unknown built-in/);
  });

  it('generates builtin:shapes deterministically, balanced, as the summary says', async () => {
    const a = await loadTrainingData('builtin:shapes', root);
    const b = await loadTrainingData('builtin:shapes', root);
    if (a.kind !== 'images' || b.kind !== 'images') throw new Error('expected images');
    const summary = builtinSummaries().find((x) => x.id === 'builtin:shapes')!;
    expect([a.count, a.width, a.height, a.channels]).toEqual([summary.count, summary.width, summary.height, summary.channels]);
    expect(a.pixels.length).toBe(a.count * 32 * 32 * 3);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    const counts = a.classes.map((_, c) => a.labels!.filter((l) => l === c).length);
    expect(counts).toEqual(summary.classCounts);
    expect(builtinSummaries().map((x) => x.id)).toEqual(['builtin:ring8', 'builtin:grid25', 'builtin:spiral', 'builtin:shapes']);
  });

  it('imports a path on the fly, then loads by id', async () => {
    const dir = join(root, 'imgs', 'cls');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.png'), await png(20, 20));
    const d = await loadTrainingData(join(root, 'imgs'), join(root, 'ws'));
    if (d.kind !== 'images') throw new Error('expected images');
    expect([d.count, d.width, d.channels, d.classes]).toEqual([1, 64, 3, ['cls']]);
    const again = await loadTrainingData(d.id, join(root, 'ws'));
    expect(again.id).toBe(d.id);
    const byPathAgain = await loadTrainingData(join(root, 'imgs'), join(root, 'ws'));
    expect(byPathAgain.id).toBe(d.id); // not imported twice
    await expect(loadTrainingData('missing-id', join(root, 'ws'))).rejects.toThrow(/No dataset/);
  });
});
