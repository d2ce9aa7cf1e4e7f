// A run trained elsewhere (the PyTorch package's output, a cluster's shared disk), registered by path and followed
// live: its new metrics, samples and status reach clients as the same events a local trainer's do.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { createRun, updateStatus } from '../runs/store';
import { nextEvent as waitEvent, servicesForFile } from './services.test-util';

const { root, workspace, services } = servicesForFile('sngan-external-');

const nextEvent = (name: string, match: (p: Record<string, unknown>) => boolean, ms?: number) => waitEvent(services, name, match, ms);

describe('runs trained elsewhere', () => {
  it('registers a run folder by path, lists and reads it, and streams what its engine writes', async () => {
    const elsewhere = await createRun(join(root, 'cluster'), parseConfig({ dataset: 'builtin:ring8', steps: 100 }), 'cluster-run-1');
    await updateStatus(elsewhere.dir, { state: 'running', step: 10 });
    writeFileSync(join(elsewhere.dir, 'metrics.jsonl'), JSON.stringify({ type: 'metrics', step: 10, dLoss: 1, gLoss: 1 }) + '\n');

    const added = await services.call('runs.add', { path: elsewhere.dir });
    expect(added).toMatchObject({ ok: true, value: { id: 'cluster-run-1', state: 'running', external: elsewhere.dir } });
    const list = await services.call('runs.list', {});
    expect((list as { value: { id: string; external?: string }[] }).value.find((r) => r.id === 'cluster-run-1')?.external).toBe(elsewhere.dir);
    expect(await services.call('runs.metrics', { id: 'cluster-run-1' })).toMatchObject({ ok: true, value: [{ step: 10 }] });
    // adding the same folder again is harmless
    expect((await services.call('runs.add', { path: elsewhere.dir })).ok).toBe(true);

    const metric = nextEvent('run.metrics', (p) => p.runId === 'cluster-run-1');
    appendFileSync(join(elsewhere.dir, 'metrics.jsonl'), JSON.stringify({ type: 'metrics', step: 20, dLoss: 0.9, gLoss: 1.1 }) + '\n');
    expect((await metric).metrics).toMatchObject({ step: 20 });

    const sample = nextEvent('run.sample', (p) => p.runId === 'cluster-run-1');
    mkdirSync(join(elsewhere.dir, 'samples'), { recursive: true });
    writeFileSync(join(elsewhere.dir, 'samples', 'step-20.png'), 'not really a png');
    expect((await sample).step).toBe(20);

    const done = nextEvent('run.status', (p) => p.id === 'cluster-run-1' && p.state === 'finished');
    await updateStatus(elsewhere.dir, { state: 'finished', step: 100 });
    expect((await done).step).toBe(100);

    // the app never deletes a folder outside its workspace
    expect(await services.call('runs.delete', { id: 'cluster-run-1' })).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect(existsSync(elsewhere.dir)).toBe(true);
  }, 60_000);

  it('refuses relative paths, folders that are not runs, and ids a workspace run already has', async () => {
    expect(await services.call('runs.add', { path: 'runs/x' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    mkdirSync(join(root, 'not-a-run'));
    expect(await services.call('runs.add', { path: join(root, 'not-a-run') })).toMatchObject({ ok: false, error: { code: 'invalid_run' } });
    await createRun(workspace, parseConfig({ dataset: 'builtin:ring8' }), 'same-id');
    const twin = await createRun(join(root, 'other'), parseConfig({ dataset: 'builtin:ring8' }), 'same-id');
    const r = await services.call('runs.add', { path: twin.dir });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_run' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/already in the workspace/);
  });

  it('runs.package writes a PyTorch package into a full path and answers with the commands to train it', async () => {
    const out = join(root, 'pkg');
    const r = await services.call('runs.package', { dataset: 'builtin:ring8', config: { steps: 50 }, out });
    expect(r).toMatchObject({ ok: true, value: { out, dataset: 'builtin:ring8' } });
    const v = (r as { value: { files: number; commands: string[] } }).value;
    expect(v.files).toBeGreaterThan(5);
    expect(v.commands[0]).toContain(join(out, 'train.py'));
    expect(existsSync(join(out, 'train.py'))).toBe(true);
    expect(existsSync(join(out, 'config.json'))).toBe(true);
    expect(await services.call('runs.package', { dataset: 'builtin:ring8', out: 'pkg2' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await services.call('runs.package', { dataset: 'no-such', out: join(root, 'pkg3') })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
