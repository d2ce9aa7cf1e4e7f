import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../engine/backend';
import { makeRun } from '../processes/run-fixture.test-util';
import { Rng } from '../engine/trainer/rng';
import type { Trainer } from '../engine/trainer/trainer';
import { UsageError } from './args';
import { latentFor, parseLatentRef, slerp, slerpPath } from './interpolate';
import { sampleCommand } from './sample';

const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0));

describe('slerp', () => {
  it('starts at a, ends at b and keeps unit vectors on the sphere', () => {
    const a = [1, 0, 0];
    const b = [0, 1, 0];
    expect(Array.from(slerp(a, b, 0))).toEqual([1, 0, 0]);
    const end = slerp(a, b, 1);
    expect(end[0]).toBeCloseTo(0, 6);
    expect(end[1]).toBeCloseTo(1, 6);
    const mid = slerp(a, b, 0.5);
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(mid[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(norm(mid)).toBeCloseTo(1, 6); // a straight line would shrink it to 0.707
  });
  it('keeps the norm of Gaussian latents roughly constant (unlike lerp)', () => {
    const r = new Rng(3);
    const a = r.normal(128);
    const b = r.normal(128);
    const mid = slerp(a, b, 0.5);
    expect(norm(mid) / norm(a)).toBeGreaterThan(0.9);
  });
  it('falls back to a line for parallel vectors; rejects mismatched sizes', () => {
    expect(Array.from(slerp([1, 2], [2, 4], 0.5))).toEqual([1.5, 3]);
    expect(() => slerp([1], [1, 2], 0.5)).toThrow(/differ/);
  });
  it('slerpPath has n points, ends included', () => {
    const p = slerpPath([1, 0], [0, 1], 5);
    expect(p).toHaveLength(5);
    expect(Array.from(p[0])).toEqual([1, 0]);
    expect(() => slerpPath([1], [1], 1)).toThrow();
  });
});

describe('latent references', () => {
  it('parses cells and seeds, rejects the rest', () => {
    expect(parseLatentRef('12')).toEqual({ cell: 12 });
    expect(parseLatentRef('seed:7')).toEqual({ seed: 7 });
    expect(parseLatentRef('s9')).toEqual({ seed: 9 });
    expect(() => parseLatentRef('64')).toThrow(UsageError);
    expect(() => parseLatentRef('x')).toThrow(UsageError);
    expect(() => parseLatentRef('-1')).toThrow(UsageError);
  });
  it("grid cells are the trainer's fixed latents, with its class blocks", () => {
    const all = Rng.derive(5, 2).normal(64 * 8);
    const { z, label } = latentFor({ cell: 3 }, 8, 2, 5);
    expect(Array.from(z)).toEqual(Array.from(all.slice(24, 32)));
    expect(label).toBe(0);
    expect(latentFor({ cell: 40 }, 8, 2, 5).label).toBe(1);
    expect(latentFor({ seed: 1 }, 8, 0, 5).z).toHaveLength(8);
  });
});

describe('sample --interpolate', () => {
  let ws: string;
  let run: { dir: string; trainer: Trainer };
  beforeAll(async () => {
    await initBackend();
    ws = await fs.mkdtemp(path.join(os.tmpdir(), 'sngan-interp-'));
    run = await makeRun(ws, 'images', { arch: 'dcgan28' });
  }, 60_000);
  afterAll(async () => {
    run.trainer.dispose();
    await fs.rm(ws, { recursive: true, force: true });
  });

  it('writes a one-row strip whose ends are the grid cells', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const file = path.join(ws, 'strip.png');
    const code = await sampleCommand(['--run', run.dir, '--interpolate', '0,seed:4', '--steps', '5', '--out', file, '--json']);
    log.mockRestore();
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ n: 5, step: 2, a: { cell: 0 }, b: { seed: 4 } });
    const meta = await sharp(file).metadata();
    // 5 images of 28 px with 2 px gaps, upscaled ×2; one row
    expect(meta.width).toBe(2 * (5 * 28 + 6 * 2));
    expect(meta.height).toBe(2 * (28 + 2 * 2));
  });

  it('bad ends and steps are usage errors (exit 2)', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await sampleCommand(['--run', run.dir, '--interpolate', '1', '--out', path.join(ws, 'x.png')])).toBe(2);
    expect(await sampleCommand(['--run', run.dir, '--interpolate', '1,2', '--steps', '40', '--out', path.join(ws, 'x.png')])).toBe(2);
    expect(await sampleCommand(['--run', run.dir, '--steps', '4', '--out', path.join(ws, 'x.png')])).toBe(2);
    err.mockRestore();
  });

  it('a 2D run says interpolation needs images (exit 1)', async () => {
    const pts = await makeRun(ws, 'points');
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await sampleCommand(['--run', pts.dir, '--interpolate', '1,2', '--out', path.join(ws, 'p.png'), '--json'])).toBe(1);
    expect(String(log.mock.calls.at(-1)?.[0])).toMatch(/image generator/);
    err.mockRestore();
    log.mockRestore();
    pts.trainer.dispose();
  });
});
