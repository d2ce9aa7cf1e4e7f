// Hostile or broken callers of the runs/export services: ids that escape, lying run folders, unbounded requests,
// and runs a crash left "running". Each case was reproduced against the services before the guard existed.
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { createRun, updateStatus } from '../runs/store';
import { servicesForFile } from './services.test-util';

const { root, workspace, services } = servicesForFile('sngan-guard-');

describe('run ids never reach outside <workspace>/runs/', () => {
  it("refuses '..', '.', hidden names and separators in the schema, and the workspace survives runs.delete", async () => {
    // A workspace root that looks like a run folder: the old resolution deleted it whole.
    writeFileSync(join(workspace, 'config.json'), JSON.stringify(parseConfig({ dataset: 'builtin:ring8' })));
    writeFileSync(join(workspace, 'status.json'), JSON.stringify({ id: '..', state: 'stopped', step: 0, steps: 1, dataset: 'builtin:ring8', createdAt: '', updatedAt: '' }));
    mkdirSync(join(workspace, 'datasets'), { recursive: true });
    for (const id of ['..', '.', '.hidden', '../x', 'a/b', 'a\\b', '']) {
      for (const call of ['runs.delete', 'runs.get', 'runs.control', 'runs.metrics']) {
        const req = call === 'runs.control' ? { id, command: 'resume' } : { id };
        const r = await services.call(call, req);
        expect(r.ok, `${call} ${JSON.stringify(id)}`).toBe(false);
      }
      expect((await services.call('export.run', { id, format: 'onnx' })).ok).toBe(false);
    }
    expect(existsSync(join(workspace, 'config.json'))).toBe(true);
    expect(existsSync(join(workspace, 'datasets'))).toBe(true);
  });

  it('refuses a run folder that is a link out of the workspace, or whose status.json names another run', async () => {
    const outside = await createRun(join(root, 'elsewhere'), parseConfig({ dataset: 'builtin:ring8' }));
    mkdirSync(join(workspace, 'runs'), { recursive: true });
    symlinkSync(outside.dir, join(workspace, 'runs', 'linked'));
    const linked = await services.call('runs.delete', { id: 'linked' });
    expect(linked).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(existsSync(outside.dir)).toBe(true);

    const liar = await createRun(workspace, parseConfig({ dataset: 'builtin:ring8' }), 'liar');
    await updateStatus(liar.dir, { id: 'someone-else' } as never);
    const r = await services.call('runs.get', { id: 'liar' });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/status\.json names run 'someone-else'/);
  });
});

describe('bounded work on request', () => {
  it('runs.create refuses absurd step counts and unknown datasets before any run folder exists', async () => {
    const before = readdirSync(join(workspace, 'runs'));
    const big = await services.call('runs.create', { dataset: 'builtin:ring8', config: { steps: 1e12 } });
    expect(big).toMatchObject({ ok: false, error: { code: 'invalid_config' } });
    const missing = await services.call('runs.create', { dataset: 'no-such-dataset' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(readdirSync(join(workspace, 'runs'))).toEqual(before);
  });

  it('export.run of a missing run answers not_found at once, without forking an exporter', async () => {
    const t0 = Date.now();
    const calls = await Promise.all(Array.from({ length: 50 }, () => services.call('export.run', { id: 'nope', format: 'onnx' })));
    expect(calls.every((c) => !c.ok && c.error.code === 'not_found')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('datasets.import takes only full paths (a relative one would resolve against the server\'s folder)', async () => {
    const r = await services.call('datasets.import', { paths: ['datasets/../..'] });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('export.run refuses a relative output path', async () => {
    const run = await createRun(workspace, parseConfig({ dataset: 'builtin:ring8' }), 'rel-out');
    const r = await services.call('export.run', { id: 'rel-out', format: 'onnx', out: 'exports/x' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(existsSync(join(run.dir, '..', '..', 'exports', 'x'))).toBe(false);
  });
});

describe('a run a crash left running', () => {
  it('reads as interrupted and resumes', async () => {
    const run = await createRun(workspace, parseConfig({ dataset: 'builtin:ring8', steps: 5, batch: 16, d: { ch: 8 }, g: { ch: 8 } }), 'crashed');
    await updateStatus(run.dir, { state: 'running', step: 0 });
    const got = await services.call('runs.get', { id: 'crashed' });
    expect(got).toMatchObject({ ok: true, value: { state: 'interrupted' } });
    const done = new Promise<void>((resolve) => {
      const off = services.events.subscribe((name, p) => {
        const s = p as { runId?: string; id?: string; state?: string };
        if (name === 'run.status' && s.id === 'crashed' && s.state === 'finished') {
          off();
          resolve();
        }
      });
    });
    const resumed = await services.call('runs.control', { id: 'crashed', command: 'resume' });
    expect(resumed).toMatchObject({ ok: true, value: { state: 'running' } });
    await done;
  }, 120_000);
});
