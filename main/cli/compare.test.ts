import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compareCommand, formatTable } from './compare';
import { buildVariants } from '../services/compare';
import { listRuns } from '../runs/store';

const ws = mkdtempSync(path.join(tmpdir(), 'sngan-compare-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const SMALL = ['--set', 'arch=mlp', '--set', 'batch=16', '--set', 'zdim=4', '--set', 'd.ch=16', '--set', 'g.ch=16', '--set', 'logEvery=5', '--set', 'sampleEvery=15', '--set', 'checkpointEvery=30', '--set', 'backend=wasm', '--set', 'seed=3'];

function capture() {
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return { text: () => out, restore: () => (o.mockRestore(), e.mockRestore()) };
}

describe('buildVariants', () => {
  it('crosses presets × norms and varies sn.iters only for SN norms', () => {
    expect(buildVariants({ norms: ['sn', 'gp', 'bn', 'none'] }).map((v) => v.label)).toEqual(['sn', 'gp', 'bn', 'none']);
    const v = buildVariants({ norms: ['sn', 'gp'], presets: ['A', 'D'], snIters: [1, 5] });
    expect(v.map((x) => x.label)).toEqual(['A/sn/it1', 'A/sn/it5', 'A/gp', 'D/sn/it1', 'D/sn/it5', 'D/gp']);
    expect(v[1].sets).toEqual(['preset=A', 'd.norm=sn', 'sn.iters=5']);
  });
});

describe('compare command', () => {
  it('rejects bad flags with exit code 2', async () => {
    const c = capture();
    try {
      expect(await compareCommand(['--bogus'])).toBe(2);
      expect(await compareCommand(['--dataset', 'builtin:ring8', '--steps', '5'])).toBe(2);
      expect(await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws])).toBe(2);
      expect(await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '5', '--norms', 'sn,wat'])).toBe(2);
      expect(await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '5', '--presets', 'Z'])).toBe(2);
      expect(await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '5', '--sn-iters', '0'])).toBe(2);
      expect(await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '5', '--set', 'batch=-1'])).toBe(2);
      expect(await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '5', '--min-hq', '2'])).toBe(2);
    } finally {
      c.restore();
    }
    expect(await listRuns(ws)).toEqual([]);
  });

  it('runs each norm as a normal run and prints one table row per variant', async () => {
    const c = capture();
    let code;
    try {
      code = await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '30', '--norms', 'sn,none', ...SMALL]);
    } finally {
      c.restore();
    }
    expect(code).toBe(0);
    const lines = c.text().trim().split('\n');
    expect(lines[0]).toMatch(/^variant\s+state\s+step\s+D loss\s+G loss\s+modes/);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/modes≥1 = .*VEEGAN\/PacGAN/);
    expect(lines[2]).toMatch(/^sn\s+finished\s+30\s/);
    expect(lines[3]).toMatch(/^none\s+finished\s+30\s/);
    expect(lines[2]).toMatch(/\d+\/8/);
    const runs = await listRuns(ws);
    expect(runs.map((r) => r.config.d.norm).sort()).toEqual(['none', 'sn']);
    for (const r of runs) expect(r.config).toMatchObject({ seed: 3, steps: 30, arch: 'mlp', dataset: 'builtin:ring8' });
  }, 90_000);

  it('--json prints one object with a summary per variant', async () => {
    const c = capture();
    let code;
    try {
      code = await compareCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '10', '--norms', 'sn', '--sn-iters', '2', '--json', ...SMALL]);
    } finally {
      c.restore();
    }
    expect(code).toBe(0);
    const o = JSON.parse(c.text()) as { variants: { label: string; snIters: number; state: string; lastStep: number; modesTotal: number; nonFinite: number; wallSec: number }[] };
    expect(o.variants.map((v) => [v.label, v.snIters, v.state, v.lastStep])).toEqual([
      ['sn/it2', 2, 'finished', 10],
    ]);
    expect(o.variants[0].modesTotal).toBe(8);
    expect(o.variants[0].nonFinite).toBe(0);
    expect(o.variants[0].wallSec).toBeGreaterThan(0);
    expect(formatTable([])).toMatch(/^variant/);
  }, 90_000);
});

describe('image scoring of a run\'s sample grid', () => {
  it('recovers the tiles of a grid PNG and scores diversity', async () => {
    const { imageGridPng } = await import('../imaging/png');
    const { scoreSampleGrid } = await import('../services/compare');
    const n = 16, s = 12;
    // 16 different images in [-1, 1]; then 16 copies of one (a collapsed generator)
    const varied = Float32Array.from({ length: n * s * s }, (_, i) => Math.sin(i * (1 + Math.floor(i / (s * s))) * 0.37));
    const same = Float32Array.from({ length: n * s * s }, (_, i) => varied[i % (s * s)]);
    const a = await scoreSampleGrid(await imageGridPng(varied, [n, s, s, 1]), { width: s, height: s, channels: 1 }, 1);
    const b = await scoreSampleGrid(await imageGridPng(same, [n, s, s, 1]), { width: s, height: s, channels: 1 }, 1);
    expect(a.samples).toBe(16);
    expect(b.msssim).toBeCloseTo(1, 6);
    expect(a.msssim).toBeLessThan(0.5);
    expect(a.fid).toBeUndefined();
    // exact tile recovery: each pixel is the stored 8-bit value
    const sharp = (await import('sharp')).default;
    const { gridTiles } = await import('../engine/metrics/images');
    const { data, info } = await sharp(await imageGridPng(varied, [n, s, s, 1])).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const t = gridTiles(new Uint8Array(data), info.width, info.height, s, s, 1);
    expect(t.count).toBe(16);
    for (const i of [0, 150, 5 * 144 + 77, n * s * s - 1]) expect(t.data[i]).toBeCloseTo(Math.round((varied[i] + 1) * 127.5) / 255, 6);
  });
});
