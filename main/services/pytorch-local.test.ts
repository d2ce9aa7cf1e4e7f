// Engine: PyTorch (this machine): found on PATH, trains a run the app created, streams it like a local run, stops
// with a checkpoint and resumes from it; what it cannot do is refused with the reason.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { createRun, readStatus } from '../runs/store';
import { TorchHost, findTorchPython, pythonCandidates } from './pytorch-local';
import { nextEvent as waitEvent, servicesForFile } from './services.test-util';
import { torchMissing } from '../torch/python.test-util';

describe('finding a Python with torch', () => {
  it('looks only at SNGAN_TORCH_PYTHON and PATH, and says why none will do', async () => {
    expect(pythonCandidates({ PATH: '' })).toEqual([]);
    expect(pythonCandidates({ PATH: '', SNGAN_TORCH_PYTHON: '/opt/py/bin/python3' })).toEqual(['/opt/py/bin/python3']);
    const none = await findTorchPython({ PATH: '' });
    expect(none).toMatchObject({ available: false });
    expect(none.reason).toMatch(/SNGAN_TORCH_PYTHON/);
    const bad = await findTorchPython({ PATH: '', SNGAN_TORCH_PYTHON: '/nonexistent/python3' });
    expect(bad.available).toBe(false);
    expect(bad.reason).toMatch(/\/nonexistent\/python3: .*ENOENT/);
  });
});

describe('a PyTorch trainer that dies', () => {
  it.skipIf(process.platform === 'win32')('leaves the run failed, saying how it ended and what it printed last', async () => {
    const run = await createRun(workspace, parseConfig({ dataset: 'builtin:ring8', steps: 10 }));
    // a "Python" that prints an error and exits 1 before writing anything, as a crashed interpreter would
    const host = new TorchHost({ python: '/bin/sh', workspace, runDir: run.dir, dataset: 'builtin:ring8', device: 'cpu' });
    await host.start();
    expect(await host.wait()).toBe('failed');
    const status = await readStatus(run.dir);
    expect(status.state).toBe('failed');
    expect(status.error).toMatch(/PyTorch trainer exited \(code \d+\)/);
  });
});

const missing = torchMissing();
const { workspace, services } = servicesForFile('sngan-pytorch-local-');

const nextEvent = (name: string, match: (p: Record<string, unknown>) => boolean, ms = 90_000) => waitEvent(services, name, match, ms);

const call = async <T,>(name: string, req: unknown): Promise<T> => {
  const r = (await services.call(name as never, req as never)) as { ok: boolean; value?: T; error?: { message: string } };
  if (!r.ok) throw new Error(r.error?.message);
  return r.value as T;
};

describe.skipIf(missing !== null)('Engine: PyTorch (this machine)', () => {
  it('app.pytorch names the Python and its torch', async () => {
    const info = await call<{ available: boolean; python: string; torch: string }>('app.pytorch', {});
    expect(info.available).toBe(true);
    expect(info.torch).toMatch(/^\d+\.\d+/);
    expect(existsSync(info.python)).toBe(true);
  });

  it('trains a run the app created to its end, streaming metrics, progress and samples like a local run', async () => {
    const metrics: number[] = [];
    const progress: number[] = [];
    const off = services.events.subscribe((n, p) => {
      const e = p as { runId?: string; metrics?: { type?: string; step?: number }; step?: number };
      if (n === 'run.metrics' && e.metrics?.type === 'metrics') metrics.push(e.metrics.step!);
      if (n === 'run.progress') progress.push(e.step!);
    });
    const config = { steps: 40, logEvery: 10, sampleEvery: 20, checkpointEvery: 20, seed: 3 };
    const run = await call<{ id: string; trainer: string; state: string }>('runs.create', { dataset: 'builtin:ring8', trainer: 'pytorch', config });
    expect(run).toMatchObject({ trainer: 'pytorch', state: 'running' });
    const done = await nextEvent('run.status', (p) => p.id === run.id && ['finished', 'failed'].includes(String(p.state)));
    off();
    expect(done).toMatchObject({ state: 'finished', step: 40, trainer: 'pytorch' });
    const got = await call<{ samples: number[]; checkpoints: number[]; trainer: string }>('runs.get', { id: run.id });
    expect(got.samples).toEqual([20, 40]);
    expect(got.checkpoints).toContain(40);
    expect(got.trainer).toBe('pytorch');
    expect(metrics.length).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    // its config.json is what PyTorch trained (no augmentation, no held-out slice)
    const rows = await call<{ type: string; backend?: string }[]>('runs.metrics', { id: run.id });
    expect(rows.some((r) => r.type === 'metrics')).toBe(true);
    // the package sources were copied out once, beside the workspace's runs
    expect(readdirSync(join(workspace, 'engines')).filter((d) => d.startsWith('pytorch-'))).toHaveLength(1);
  }, 180_000);

  it('cannot pause (says what to do instead); Stop checkpoints, Resume continues from there on PyTorch', async () => {
    const config = { steps: 100_000, logEvery: 5, sampleEvery: 100_000, checkpointEvery: 100_000, seed: 4 };
    const run = await call<{ id: string }>('runs.create', { dataset: 'builtin:ring8', trainer: 'pytorch', config });
    await nextEvent('run.metrics', (p) => p.runId === run.id && (p.metrics as { type?: string }).type === 'metrics');
    const paused = await services.call('runs.control', { id: run.id, command: 'pause' });
    expect(paused).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect((paused as { error: { message: string } }).error.message).toMatch(/Stop checkpoints it, Resume continues/);

    const stopped = nextEvent('run.status', (p) => p.id === run.id && p.state === 'stopped');
    await call('runs.control', { id: run.id, command: 'stop' });
    const at = Number((await stopped).step);
    expect(at).toBeGreaterThan(0);
    expect((await call<{ checkpoints: number[] }>('runs.get', { id: run.id })).checkpoints).toContain(at);

    const again = nextEvent('run.metrics', (p) => p.runId === run.id && Number((p.metrics as { step?: number }).step) > at);
    await call('runs.control', { id: run.id, command: 'resume' });
    await again;
    const stopped2 = nextEvent('run.status', (p) => p.id === run.id && p.state === 'stopped');
    await call('runs.control', { id: run.id, command: 'stop' });
    expect(Number((await stopped2).step)).toBeGreaterThan(at);
  }, 180_000);

  it('refuses what the PyTorch engine does not implement, before any run exists', async () => {
    const before = (await call<unknown[]>('runs.list', {})).length;
    const r = await services.call('runs.create', { dataset: 'builtin:ring8', trainer: 'pytorch', config: { aug: { mode: 'diffaugment' }, sn: { update: 'per-forward' } } });
    expect(r).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/per-forward.*aug.mode 'diffaugment'/);
    expect((await call<unknown[]>('runs.list', {})).length).toBe(before);
  });
});
