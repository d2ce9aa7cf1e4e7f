import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallResponse, EventPayload } from '../../shared/api';
import type { TrainerEvent } from '../../shared/events';
import { appendMetrics, createRun } from '../runs/store';
import { EventBus } from './event-bus';
import { dispatch, type Handlers } from './dispatch';
import type { StartedRun } from './runs';
import { createServices, type ServiceContext } from './services';
import { studiesDir, studyHandlers } from './studies';

type Progress = EventPayload<'study.progress'>;
type Detail = CallResponse<'studies.get'>;

const workspaces: string[] = [];
const tmp = () => {
  const w = mkdtempSync(join(tmpdir(), 'sngan-studies-'));
  workspaces.push(w);
  return w;
};
afterAll(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

function collect(bus: EventBus): { progress: Progress[]; statuses: string[]; ended: (id: string) => Promise<Progress> } {
  const progress: Progress[] = [];
  const statuses: string[] = [];
  const waiters: [string, (p: Progress) => void][] = [];
  bus.subscribe((name, payload) => {
    if (name === 'run.status') statuses.push((payload as { id: string }).id);
    if (name !== 'study.progress') return;
    const p = payload as Progress;
    progress.push(p);
    if (p.phase === 'end') for (const [id, resolve] of waiters) if (id === p.studyId) resolve(p);
  });
  return {
    progress,
    statuses,
    ended: (id) => {
      const done = progress.find((p) => p.studyId === id && p.phase === 'end');
      return done ? Promise.resolve(done) : new Promise((resolve) => waiters.push([id, resolve]));
    },
  };
}

describe('studies through the services (real trainer processes, 2D ring)', () => {
  const workspace = tmp();
  const services = createServices({ workspace, transport: 'web' });
  const seen = collect(services.events);
  afterAll(() => services.close());
  const small = { sampleEvery: 10, logEvery: 5, checkpointEvery: 30, diagEvery: 0, batch: 32 };

  it('rejects a bad request with a typed error, and unknown ids', async () => {
    expect(await services.call('studies.start', { dataset: 'builtin:ring8', kind: 'stabilisers', norms: ['sn', 'bogus'], steps: 30 })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await services.call('studies.start', { dataset: 'builtin:ring8', kind: 'stabilisers', steps: 30, config: { batch: -4 } })).toMatchObject({ ok: false, error: { code: 'invalid_config' } });
    expect(await services.call('studies.get', { id: '../runs' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await services.call('studies.get', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await services.call('studies.list', {})).toEqual({ ok: true, value: [] });
  });

  it('runs sn and none one after another as normal runs, then summarises each', async () => {
    const r = await services.call('studies.start', { dataset: 'builtin:ring8', kind: 'stabilisers', norms: ['sn', 'none'], steps: 30, config: small });
    expect(r).toMatchObject({ ok: true, value: { state: 'queued', total: 2, done: 0, dataKind: 'points' } });
    const id = (r as { value: { id: string } }).value.id;
    const end = await seen.ended(id);
    expect(end).toMatchObject({ state: 'finished', done: 2, total: 2 });

    const mine = seen.progress.filter((p) => p.studyId === id).map((p) => `${p.phase}:${p.index ?? ''}:${p.label ?? ''}`);
    expect(mine).toEqual(['queued::', 'variant-start:0:sn', 'variant-end:0:sn', 'variant-start:1:none', 'variant-end:1:none', 'end::']);

    const got = await services.call('studies.get', { id });
    expect(got.ok).toBe(true);
    const d = (got as { value: Detail }).value;
    expect(d).toMatchObject({ kind: 'stabilisers', state: 'finished', done: 2, spec: { norms: ['sn', 'none'], steps: 30 } });
    expect(d.finishedAt).toBeTruthy();
    expect(d.rows.map((x) => [x.label, x.state])).toEqual([['sn', 'finished'], ['none', 'finished']]);
    for (const row of d.rows) {
      expect(row.runId).toBeTruthy();
      expect(row.wallSec).toBeGreaterThan(0);
      expect(row.summary).toMatchObject({ lastStep: 30, modesTotal: 8, nonFinite: 0 });
      expect(row.summary!.finalDLoss).toEqual(expect.any(Number));
      expect(row.diverged).toBeUndefined();
    }
    // The runs are ordinary runs: listed, with live status events, and the config each variant set.
    const runs = (await services.call('runs.list', {})) as { value: { id: string; config: { d: { norm: string }; steps: number } }[] };
    for (const [i, norm] of ['sn', 'none'].entries()) {
      const run = runs.value.find((x) => x.id === d.rows[i].runId);
      expect(run?.config).toMatchObject({ d: { norm }, steps: 30 });
      expect(seen.statuses).toContain(d.rows[i].runId);
    }
    // Persisted atomically as JSON, with no temp file left behind.
    const file = join(studiesDir(workspace), `${id}.json`);
    const disk = JSON.parse(readFileSync(file, 'utf8')) as Detail & { pid: number };
    expect(disk).toMatchObject({ id, state: 'finished', pid: process.pid });
    expect(disk.rows[1].summary?.lastStep).toBe(30);
    const list = (await services.call('studies.list', {})) as { value: { id: string; state: string }[] };
    expect(list.value).toEqual([expect.objectContaining({ id, state: 'finished', done: 2, total: 2 })]);
  }, 240_000);

  it('cancel stops the current run cleanly (checkpoint kept) and skips the rest', async () => {
    const r = await services.call('studies.start', { dataset: 'builtin:ring8', kind: 'sn-iters', snIters: [1, 5], steps: 100_000, config: { ...small, sampleEvery: 100_000, checkpointEvery: 100_000, logEvery: 1000 } });
    const id = (r as { value: { id: string } }).value.id;
    const t0 = Date.now();
    let stepped = false;
    const off = services.events.subscribe((name, payload) => {
      const runId = seen.progress.find((p) => p.studyId === id && p.phase === 'variant-start')?.runId;
      if (name === 'run.progress' && runId && (payload as { runId: string; step: number }).runId === runId && (payload as { step: number }).step > 0) stepped = true;
    });
    // Once the first run has trained a little (a stop at step 0 has nothing to checkpoint).
    while (!stepped) {
      if (Date.now() - t0 > 60_000) throw new Error('no variant started');
      await new Promise((res) => setTimeout(res, 50));
    }
    off();
    expect(await services.call('studies.cancel', { id })).toMatchObject({ ok: true, value: { id } });
    const end = await seen.ended(id);
    expect(end).toMatchObject({ state: 'cancelled', done: 1 });
    const d = ((await services.call('studies.get', { id })) as { value: Detail }).value;
    expect(d.rows.map((x) => [x.label, x.state])).toEqual([['sn/it1', 'stopped'], ['sn/it5', 'skipped']]);
    const run = (await services.call('runs.get', { id: d.rows[0].runId! })) as { value: { checkpoints: number[]; state: string } };
    expect(run.value.state).toBe('stopped');
    expect(run.value.checkpoints.length).toBeGreaterThan(0);
    expect(await services.call('studies.cancel', { id })).toMatchObject({ ok: false, error: { code: 'not_running' } });
  }, 240_000);

  it('a study left running by a process that is gone reads as interrupted', async () => {
    const [done] = ((await services.call('studies.list', {})) as { value: { id: string }[] }).value.slice(-1);
    const d = JSON.parse(readFileSync(join(studiesDir(workspace), `${done.id}.json`), 'utf8')) as Detail & { pid: number };
    const ghost = { ...d, id: 'study-ghost', state: 'running', pid: 2 ** 22 + 12345, current: { index: 1, label: 'none' }, rows: d.rows.map((x, i) => (i === 1 ? { ...x, state: 'running' } : x)) };
    writeFileSync(join(studiesDir(workspace), 'study-ghost.json'), JSON.stringify(ghost));
    const g = ((await services.call('studies.get', { id: 'study-ghost' })) as { value: Detail }).value;
    expect(g.state).toBe('interrupted');
    expect(g.current).toBeUndefined();
    expect(g.rows[1].state).toBe('interrupted');
    expect(existsSync(join(studiesDir(workspace), 'study-ghost.json'))).toBe(true);
  });
});

describe('a NaN pause counts as a divergence and the study moves on (fake runs, no trainer)', () => {
  it('stops the run, marks the row diverged, runs the next variant', async () => {
    const workspace = tmp();
    const events = new EventBus();
    const seen = collect(events);
    const stops: string[] = [];
    const fakeRuns = {
      async startRun(config: import('../../shared/config').TrainConfig, onEvent?: (e: TrainerEvent) => void): Promise<StartedRun> {
        const run = await createRun(workspace, config);
        const nan = config.d.norm === 'none';
        let finish!: (s: 'finished' | 'stopped') => void;
        const done = new Promise<'finished' | 'stopped'>((r) => (finish = r));
        setTimeout(async () => {
          await appendMetrics(run.dir, { type: 'metrics', step: 10, dLoss: 0.5, gLoss: 1.5, dReal: 1, dFake: -1, layers: [], lipschitzBound: 1 });
          if (nan) {
            await appendMetrics(run.dir, { type: 'error', step: 12, code: 'non_finite', message: 'D loss is NaN at step 12' });
            onEvent?.({ type: 'error', step: 12, code: 'non_finite', message: 'D loss is NaN at step 12' });
          } else finish('finished');
        }, 10);
        return {
          id: run.id,
          dir: run.dir,
          stop: () => {
            stops.push(config.d.norm);
            finish('stopped');
            return true;
          },
          wait: () => done,
        };
      },
    };
    const ctx = { workspace, events, settings: undefined } as unknown as ServiceContext;
    const s = studyHandlers(ctx, fakeRuns);
    const call = (name: string, req: unknown) => dispatch(s.handlers as Handlers, name, req);
    const r = await call('studies.start', { dataset: 'builtin:ring8', kind: 'stabilisers', norms: ['none', 'sn'], steps: 20 });
    const id = (r as { value: { id: string } }).value.id;
    expect(await seen.ended(id)).toMatchObject({ state: 'finished', done: 2 });
    expect(stops).toEqual(['none']);
    const d = ((await call('studies.get', { id })) as { value: Detail }).value;
    expect(d.rows[0]).toMatchObject({ label: 'none', state: 'stopped', diverged: true, error: expect.stringMatching(/NaN/), summary: { nonFinite: 1, finalDLoss: 0.5 } });
    expect(d.rows[1]).toMatchObject({ label: 'sn', state: 'finished', summary: { nonFinite: 0 } });
    expect(d.rows[1].diverged).toBeUndefined();
    await s.close();
  });

  it('image datasets default evalEvery to the step budget (the trainer scores the last step), unless set', async () => {
    const workspace = tmp();
    const configs: { evalEvery: number }[] = [];
    const fakeRuns = {
      async startRun(config: import('../../shared/config').TrainConfig): Promise<StartedRun> {
        configs.push(config);
        const run = await createRun(workspace, config);
        return { id: run.id, dir: run.dir, stop: () => true, wait: async () => 'finished' };
      },
    };
    const events = new EventBus();
    const seen = collect(events);
    const s = studyHandlers({ workspace, events } as unknown as ServiceContext, fakeRuns);
    const call = (name: string, req: unknown) => dispatch(s.handlers as Handlers, name, req);
    const a = (await call('studies.start', { dataset: 'builtin:shapes', kind: 'stabilisers', norms: ['sn'], steps: 40 })) as { value: { id: string; dataKind: string } };
    expect(a.value.dataKind).toBe('images');
    await seen.ended(a.value.id);
    const b = (await call('studies.start', { dataset: 'builtin:shapes', kind: 'stabilisers', norms: ['sn'], steps: 40, config: { evalEvery: 0 } })) as { value: { id: string } };
    await seen.ended(b.value.id);
    const c = (await call('studies.start', { dataset: 'builtin:ring8', kind: 'stabilisers', norms: ['sn'], steps: 40 })) as { value: { id: string } };
    await seen.ended(c.value.id);
    expect(configs.map((x) => x.evalEvery)).toEqual([40, 0, 0]);
    await s.close();
  });
});
