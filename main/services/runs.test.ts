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
    const { trainSmallRun } = await import('./train.test-util');
    expect((await trainSmallRun(workspace, { dataset: 'builtin:ring8', steps: 20, sampleEvery: 10, checkpointEvery: 10 })).state).toBe('finished');
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
    const { makeRun } = await import('../processes/run-fixture.test-util');
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

describe('run status revisions', () => {
  it('a control reply never carries a newer revision than the status event the command causes', async () => {
    const statuses: { state: string; rev: number }[] = [];
    const off = services.events.subscribe((name, payload) => {
      const p = payload as { state: string; rev?: number };
      if (name === 'run.status') statuses.push({ state: p.state, rev: p.rev ?? -1 });
    });
    const until = async (f: () => boolean) => {
      const t0 = Date.now();
      while (!f()) {
        if (Date.now() - t0 > 100_000) throw new Error(`timed out; statuses ${JSON.stringify(statuses)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const last = (state: string) => statuses.filter((s) => s.state === state).at(-1);
    try {
      const created = await services.call('runs.create', { dataset: 'builtin:ring8', config: { steps: 100000, sampleEvery: 100000, logEvery: 1000, diagEvery: 0 } });
      expect(created.ok).toBe(true);
      const id = (created as { value: { id: string } }).value.id;
      await until(() => !!last('running'));
      expect(await services.call('runs.control', { id, command: 'pause' })).toMatchObject({ ok: true });
      await until(() => !!last('paused'));
      const pausedRev = last('paused')!.rev;
      const reply = await services.call('runs.control', { id, command: 'resume' });
      expect(reply.ok).toBe(true);
      const r = (reply as { value: { state: string; rev: number } }).value;
      // The reply was made before the trainer took the command: it may still say 'paused', at the old revision.
      expect(r.rev).toBe(pausedRev);
      await until(() => (last('running')?.rev ?? 0) > pausedRev);
      expect(last('running')!.rev).toBeGreaterThan(r.rev);
      // Revisions only ever grow, in event order.
      const revs = statuses.map((s) => s.rev);
      expect([...revs].sort((a, b) => a - b)).toEqual(revs);
      expect(await services.call('runs.control', { id, command: 'stop' })).toMatchObject({ ok: true });
      await until(() => !!last('stopped'));
    } finally {
      off();
    }
  }, 200_000);
});
