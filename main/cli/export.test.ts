import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCommand } from './export';
import { sampleCommand } from './sample';
import { initBackend } from '../engine/backend';
import { makeRun } from '../processes/run-fixture.test-util';
import type { Trainer } from '../engine/trainer/trainer';

let ws: string;
let run: { dir: string; trainer: Trainer };

beforeAll(async () => {
  await initBackend();
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'sngan-cli-export-'));
  run = await makeRun(ws, 'images', { arch: 'dcgan28' });
}, 60_000);

afterAll(async () => {
  run.trainer.dispose();
  await fs.rm(ws, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  return { out, err, restore: () => (log.mockRestore(), error.mockRestore()) };
}

describe('sngan-studio export / sample', () => {
  it('export --format onnx --json reports the files and the check', async () => {
    const c = capture();
    const out = path.join(ws, 'onnx');
    const code = await exportCommand(['--run', run.dir, '--format', 'onnx', '--out', out, '--checkpoint', '2', '--calibration', '32', '--json']);
    c.restore();
    expect(code).toBe(0);
    const j = JSON.parse(c.out.join('\n'));
    expect(j).toMatchObject({ format: 'onnx', step: 2, files: ['generator.onnx', 'manifest.json'] });
    expect(j.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  it('export --format png writes a grid from a seed', async () => {
    const c = capture();
    const code = await exportCommand(['--run', run.dir, '--format', 'png', '--out', path.join(ws, 'png'), '--n', '4', '--seed', '9']);
    c.restore();
    expect(code).toBe(0);
    expect(c.out.join('\n')).toMatch(/Exported png at step 2/);
    const meta = await sharp(path.join(ws, 'png', 'grid.png')).metadata();
    expect(meta.width).toBeGreaterThan(56);
  });

  it('sample writes one PNG; the same seed gives the same bytes', async () => {
    const c = capture();
    const a = path.join(ws, 'a.png');
    const b = path.join(ws, 'sub', 'b.png');
    expect(await sampleCommand(['--run', run.dir, '--n', '6', '--seed', '3', '--out', a])).toBe(0);
    expect(await sampleCommand(['--run', run.dir, '--n', '6', '--seed', '3', '--out', b, '--json'])).toBe(0);
    c.restore();
    expect(Buffer.compare(await fs.readFile(a), await fs.readFile(b))).toBe(0);
    expect(JSON.parse(c.out[1])).toMatchObject({ step: 2, n: 6, seed: 3 });
  });

  it('export --individual writes thousands of files streamed (the old cap was 4,096) and summarises them in one line', async () => {
    const c = capture();
    const out = path.join(ws, 'many');
    const code = await exportCommand(['--run', run.dir, '--format', 'png', '--individual', '--n', '5000', '--seed', '1', '--out', out]);
    c.restore();
    expect(code).toBe(0);
    const names = await fs.readdir(out);
    expect(names.filter((n) => n.endsWith('.png'))).toHaveLength(5000);
    expect(c.out.join('\n')).toMatch(/5,001 files \(sample-0000\.png, sample-0001\.png … sample-4999\.png, manifest\.json\)/);
    expect(c.out.join('\n').length).toBeLessThan(300);
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files).toHaveLength(5001);
    const big = capture();
    expect(await exportCommand(['--run', run.dir, '--format', 'png', '--individual', '--n', '50001', '--out', path.join(ws, 'too-many')])).toBe(2);
    big.restore();
  }, 120_000);

  it.each([
    [['--format', 'tfjs', '--out', 'x']],
    [['--run', 'r', '--format', 'zip', '--out', 'x']],
    [['--run', 'r', '--format', 'tfjs']],
    [['--run', 'r', '--format', 'tfjs', '--out', 'x', '--n', 'many']],
    [['--run', 'r', '--format', 'onnx', '--out', 'x', '--individual']],
    [['--run', 'r', '--bogus']],
    [['--run', 'r', '--format', 'tfjs', '--out', 'x', '--calibration', '1']],
  ])('export usage error %j → exit 2', async (argv) => {
    const c = capture();
    const code = await exportCommand(argv);
    c.restore();
    expect(code).toBe(2);
    expect(c.err.join('\n')).toContain('sngan-studio export');
  });

  it.each([[['--run', 'r', '--out', 'x.jpg']], [['--run', 'r']], [['--out', 'x.png']], [['--run', 'r', '--out', 'x.png', '--n', '0']]])(
    'sample usage error %j → exit 2',
    async (argv) => {
      const c = capture();
      expect(await sampleCommand(argv)).toBe(2);
      c.restore();
    },
  );

  it('a truncated checkpoint: exit 1, the message names the file, nothing written', async () => {
    const bad = path.join(ws, 'runs', 'bad');
    await fs.cp(run.dir, bad, { recursive: true });
    const ck = path.join(bad, 'checkpoints', 'step-2.ckpt');
    await fs.truncate(ck, 200);
    const c = capture();
    const out = path.join(ws, 'never');
    const code = await exportCommand(['--run', bad, '--format', 'tfjs', '--out', out]);
    const code2 = await sampleCommand(['--run', bad, '--out', path.join(ws, 'never.png')]);
    c.restore();
    expect(code).toBe(1);
    expect(code2).toBe(1);
    expect(c.err[0]).toContain(ck);
    expect((await fs.readdir(ws)).filter((n) => n.startsWith('never') || n.includes('.tmp-'))).toEqual([]);
  });
});
