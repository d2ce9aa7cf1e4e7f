import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import type { TrainerEvent } from '../../shared/events';
import { createRun, readStatus } from '../runs/store';
import { TrainerHost, defaultWorkerPath } from './trainer-host';

const ws = mkdtempSync(path.join(tmpdir(), 'sngan-host-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const until = async (f: () => boolean, ms = 100_000) => {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('TrainerHost', () => {
  it('finds the worker entry from source', () => {
    expect(defaultWorkerPath()).toMatch(/main[\\/]processes[\\/]trainer\.ts$/);
  });

  it('starts paused, steps once, resumes, pauses and stops with a checkpoint', async () => {
    const cfg = parseConfig({ dataset: 'builtin:ring8', steps: 100_000, batch: 16, d: { ch: 8 }, g: { ch: 8 }, logEvery: 1, backend: 'wasm' });
    const run = await createRun(ws, cfg, 'host-run');
    const events: TrainerEvent[] = [];
    const host = new TrainerHost({ runDir: run.dir, workspace: ws, paused: true, onEvent: (e) => events.push(e) });
    await host.start();
    await until(() => host.state === 'paused');
    expect(host.backend).toBe('wasm');
    host.stepOnce();
    await until(() => events.some((e) => e.type === 'metrics' && e.step === 1));
    host.resume();
    await until(() => host.step > 5);
    host.pause();
    await until(() => host.state === 'paused');
    host.stop();
    expect(await host.wait()).toBe('stopped');
    const st = await readStatus(run.dir);
    expect(st.state).toBe('stopped');
    expect(events.some((e) => e.type === 'checkpoint' && e.step === st.step)).toBe(true);
  }, 150_000);

  it('reports a start failure as an error event and a failed run', async () => {
    const run = await createRun(ws, parseConfig({ dataset: 'no-such-dataset', backend: 'wasm' }), 'bad-run');
    const events: TrainerEvent[] = [];
    const host = new TrainerHost({ runDir: run.dir, workspace: ws, onEvent: (e) => events.push(e) });
    await host.start();
    expect(await host.wait()).toBe('failed');
    expect(events.some((e) => e.type === 'error' && e.code === 'start_failed')).toBe(true);
    expect((await readStatus(run.dir)).state).toBe('failed');
  }, 150_000);
});
