import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { fileSink, pointsSnapshot } from './sink';
import { createRun, listSamples, readSamplePoints, samplePointsPath } from './store';
import { fieldRgb } from '../imaging/png';

const ws = mkdtempSync(path.join(tmpdir(), 'sngan-sink-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const field = { n: 2, bounds: [-3, 3, -3, 3] as [number, number, number, number], values: new Float32Array([1.23456789, -2, 0.5, NaN]) };

describe('fileSink, 2D snapshots', () => {
  it('stores points, real points, modes and D’s field beside the PNG, and reads them back', async () => {
    const { dir } = await createRun(ws, parseConfig({ dataset: 'builtin:ring8' }), 'pts');
    const sink = fileSink(dir);
    const p = await sink.writeSample(10, { kind: 'points', data: new Float32Array([0.1, 0.2, 1, -1]), modes: [[2, 0]], real: new Float32Array([2, 0.01]), field });
    expect(p.endsWith('step-10.png')).toBe(true);
    expect((await sharp(p).metadata()).width).toBe(320);
    expect(await listSamples(dir)).toEqual([10]);
    const back = await readSamplePoints(dir, 10);
    expect(back).toEqual({ fake: [0.1, 0.2, 1, -1], real: [2, 0.01], modes: [[2, 0]], field: { n: 2, bounds: [-3, 3, -3, 3], values: [1.2346, -2, 0.5, 0] } });
  });

  it('image runs write no points file; a damaged one reads as null', async () => {
    const { dir } = await createRun(ws, parseConfig({ dataset: 'x' }), 'img');
    const sink = fileSink(dir);
    await sink.writeSample(5, { kind: 'images', data: new Float32Array(4 * 4 * 4), shape: [4, 4, 4, 1] });
    expect(await readSamplePoints(dir, 5)).toBeNull();
    writeFileSync(samplePointsPath(dir, 5), '{"fake":[1,2],"real":[],"modes":[],"field":{"n":3,"bounds":[0,1,0,1],"values":[1]}}');
    expect(await readSamplePoints(dir, 5)).toBeNull();
    writeFileSync(samplePointsPath(dir, 6), '{"fake":');
    expect(await readSamplePoints(dir, 6)).toBeNull();
  });

  it('keeps snapshots small (rounded to 4 decimals)', () => {
    const s = pointsSnapshot({ kind: 'points', data: new Float32Array(2000).map((_, i) => Math.sin(i)), field: { ...field, n: 48, values: new Float32Array(48 * 48).map((_, i) => Math.cos(i)) } });
    expect(JSON.stringify(s).length).toBeLessThan(40_000);
  });
});

describe('fieldRgb', () => {
  it('is white at the boundary, green for “real”, purple for “fake”', () => {
    expect(fieldRgb(0, 1)).toEqual([255, 255, 255]);
    const [r, g, b] = fieldRgb(5, 1);
    expect(g).toBeGreaterThan(r);
    expect(g).toBeGreaterThan(b);
    const [r2, g2, b2] = fieldRgb(-5, 1);
    expect(b2).toBeGreaterThan(g2);
    expect(r2).toBeGreaterThan(g2);
  });
});
