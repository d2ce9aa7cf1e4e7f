import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, type CallResponse } from '../../shared/api';
import { createServices } from './services';
import { runKind } from './runs';

const workspace = mkdtempSync(join(tmpdir(), 'sngan-runs-svc-'));
const services = createServices({ workspace, transport: 'web' });
afterAll(async () => {
  await services.close();
  rmSync(workspace, { recursive: true, force: true });
});

describe('runs.interpolate request schema', () => {
  const R = calls['runs.interpolate'].req;
  it('takes grid cells or seeds, 2–32 images', () => {
    expect(R.safeParse({ id: 'r1', a: { cell: 0 }, b: { seed: 5 }, n: 8 }).success).toBe(true);
    expect(R.safeParse({ id: 'r1', a: { cell: 0 }, b: { cell: 1 }, n: 1 }).success).toBe(false);
    expect(R.safeParse({ id: 'r1', a: { cell: 0 }, b: { cell: 1 }, n: 33 }).success).toBe(false);
    expect(R.safeParse({ id: 'r1', a: { cell: -1 }, b: { cell: 1 }, n: 4 }).success).toBe(false);
    expect(R.safeParse({ id: 'r1', a: { cell: 1, seed: 2 }, b: { cell: 1 }, n: 4 }).success).toBe(false);
    expect(R.safeParse({ id: '../x', a: { cell: 0 }, b: { cell: 1 }, n: 4 }).success).toBe(false);
  });
});

describe('runKind', () => {
  it('knows the 2D toys', () => {
    expect(runKind('builtin:ring8')).toBe('points');
    expect(runKind('builtin:spiral')).toBe('points');
    expect(runKind('builtin:shapes')).toBe('images');
    expect(runKind('fashion-1234')).toBe('images');
  });
});

describe('2D runs through the services', () => {
  let id = '';
  beforeAll(async () => {
    const { trainCommand } = await import('../cli/train');
    const log = console.log;
    console.log = () => {};
    try {
      expect(await trainCommand(['--dataset', 'builtin:ring8', '--workspace', workspace, '--steps', '20', '--set', 'sampleEvery=10', '--set', 'checkpointEvery=10', '--json'])).toBe(0);
    } finally {
      console.log = log;
    }
    const runs = await services.call('runs.list', {});
    id = runs.ok ? (runs.value as { id: string }[])[0]!.id : '';
  }, 120_000);

  it('runs.get lists samples and checkpoints and says the run makes points', async () => {
    const r = await services.call('runs.get', { id });
    expect(r).toMatchObject({ ok: true, value: { kind: 'points', samples: [10, 20] } });
    expect((r as { value: { checkpoints: number[] } }).value.checkpoints).toContain(20);
  });

  it('runs.sample carries the points, real points and D’s 48×48 field', async () => {
    const r = await services.call('runs.sample', { id, step: 20 });
    expect(r.ok).toBe(true);
    const v = (r as { value: CallResponse<'runs.sample'> }).value;
    expect(v.dataUrl).toMatch(/^data:image\/png;base64,/);
    expect(v.points!.fake).toHaveLength(2000);
    expect(v.points!.real).toHaveLength(1000);
    expect(v.points!.modes).toHaveLength(8);
    expect(v.points!.field!.n).toBe(48);
    expect(v.points!.field!.values).toHaveLength(48 * 48);
    const [x0, x1, y0, y1] = v.points!.field!.bounds;
    expect(x0).toBeLessThan(-2);
    expect(x1).toBeGreaterThan(2);
    expect(y1 - y0).toBeCloseTo(x1 - x0);
  });

  it('runs.interpolate refuses a points run with a readable error', async () => {
    const r = await services.call('runs.interpolate', { id, a: { cell: 0 }, b: { cell: 1 }, n: 4 });
    expect(r).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/image generators/);
  });
});

describe('image runs: interpolation in a child process', () => {
  it('returns a PNG strip, and names a missing checkpoint', async () => {
    const { makeRun } = await import('../engine/export/test-util');
    const { initBackend } = await import('../engine/backend');
    await initBackend();
    const run = await makeRun(workspace, 'images', { arch: 'dcgan28' });
    run.trainer.dispose();
    const id = run.dir.split(/[/\\]/).pop()!;
    const r = await services.call('runs.interpolate', { id, a: { cell: 2 }, b: { seed: 3 }, n: 4 });
    expect(r).toMatchObject({ ok: true, value: { n: 4, step: 2 } });
    expect((r as { value: { dataUrl: string } }).value.dataUrl).toMatch(/^data:image\/png;base64,/);
    const bad = await services.call('runs.interpolate', { id, checkpoint: 999, a: { cell: 2 }, b: { seed: 3 }, n: 4 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'interpolate_failed' } });
    expect((bad as { error: { message: string } }).error.message).toMatch(/step-999\.ckpt/);
  }, 180_000);
});
