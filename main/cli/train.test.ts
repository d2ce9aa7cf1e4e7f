import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { trainCommand } from './train';
import { createRun, latestCheckpoint, listRuns, readCheckpoint, readMetrics, readStatus } from '../runs/store';
import { parseConfig } from '../../shared/config';
import { TrainerHost } from '../services/trainer-host';
import { decodeCheckpoint } from '../engine/trainer/checkpoint';

const ws = mkdtempSync(path.join(tmpdir(), 'sngan-train-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const quiet = () => vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
const SMALL = ['--set', 'batch=16', '--set', 'zdim=4', '--set', 'd.ch=16', '--set', 'g.ch=16', '--set', 'logEvery=5', '--set', 'sampleEvery=10', '--set', 'checkpointEvery=10', '--set', 'backend=wasm'];

describe('train command', () => {
  it('rejects bad flags with exit code 2', async () => {
    const spy = quiet();
    expect(await trainCommand(['--bogus'])).toBe(2);
    expect(await trainCommand(['--dataset', 'builtin:ring8'])).toBe(2);
    expect(await trainCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', 'x'])).toBe(2);
    expect(await trainCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--set', 'd.norm=bogus'])).toBe(2);
    expect(await trainCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--set', 'novalue'])).toBe(2);
    spy.mockRestore();
  });

  it('trains builtin:ring8 headless and writes the run folder', async () => {
    const spy = quiet();
    const code = await trainCommand(['--dataset', 'builtin:ring8', '--workspace', ws, '--steps', '20', '--set', 'd.norm=sn', ...SMALL]);
    spy.mockRestore();
    expect(code).toBe(0);
    const [run] = await listRuns(ws);
    expect(run.config.d.norm).toBe('sn');
    expect(run.status).toMatchObject({ state: 'finished', step: 20, backend: 'wasm' });
    const log = await readMetrics(run.dir);
    const metrics = log.filter((e) => e.type === 'metrics');
    expect(metrics.map((e) => e.step)).toEqual([5, 10, 15, 20]);
    const samples = log.filter((e) => e.type === 'sample') as { eval?: { modesTotal?: number } }[];
    expect(samples[0].eval?.modesTotal).toBe(8);
    expect(existsSync(path.join(run.dir, 'samples', 'step-20.png'))).toBe(true);
    expect((await latestCheckpoint(run.dir))?.step).toBe(20);
    expect(JSON.parse(readFileSync(path.join(run.dir, 'config.json'), 'utf8')).dataset).toBe('builtin:ring8');
  }, 150_000);

  // the compiled step (engine 'auto', the default) and the threaded wasm engine: resume must be bit-exact within each
  for (const [engine, expected] of [['auto', 'onnxruntime'], ['tfjs', 'tfjs']] as const) {
    it(`a killed trainer loses only the steps since the last checkpoint; resume reproduces the straight run (engine ${engine}, threads on)`, async () => {
      const base = { dataset: 'builtin:ring8', steps: 40, batch: 16, zdim: 4, d: { ch: 16 }, g: { ch: 16 }, logEvery: 5, sampleEvery: 20, checkpointEvery: 10, backend: 'wasm' as const, seed: 11, engine };
      // straight run
      const straight = await createRun(ws, parseConfig(base), `straight-${engine}`);
      const said: string[] = [];
      const h1 = new TrainerHost({ runDir: straight.dir, workspace: ws, onEvent: (e) => void (e.type === 'status' && e.message && said.push(e.message)) });
      await h1.start();
      expect(await h1.wait()).toBe('finished');
      // with threads on (every core), where there is more than one
      if (os.cpus().length > 1) expect(said.some((m) => /threaded-simd build/.test(m))).toBe(true);
      if (engine === 'auto') expect(said.some((m) => /step engine: onnxruntime-node/.test(m))).toBe(true);
      expect((await readStatus(straight.dir)).engine).toBe(expected);
      // interrupted run: SIGKILL right after the checkpoint at step 20
      const killed = await createRun(ws, parseConfig(base), `killed-${engine}`);
      const h2: TrainerHost = new TrainerHost({
        runDir: killed.dir,
        workspace: ws,
        onEvent: (e) => {
          if (e.type === 'checkpoint' && e.step === 20) h2.kill('SIGKILL');
        },
      });
      await h2.start();
      expect(await h2.wait()).toBe('failed');
      expect((await readStatus(killed.dir)).state).toBe('failed');
      const ck = await latestCheckpoint(killed.dir);
      expect(ck!.step).toBeGreaterThanOrEqual(20);
      const spy = quiet();
      expect(await trainCommand(['--resume', killed.dir, '--workspace', ws, '--steps', '40'])).toBe(0);
      spy.mockRestore();
      expect((await readStatus(killed.dir))).toMatchObject({ state: 'finished', engine: expected });
      const a = decodeCheckpoint(await readCheckpoint((await latestCheckpoint(straight.dir))!.path)).state;
      const b = decodeCheckpoint(await readCheckpoint((await latestCheckpoint(killed.dir))!.path)).state;
      expect(b.step).toBe(40);
      expect(Object.keys(b.vars)).toEqual(Object.keys(a.vars));
      for (const k of Object.keys(a.vars)) expect(Buffer.from(b.vars[k].buffer).equals(Buffer.from(a.vars[k].buffer))).toBe(true);
      expect(b.rng).toEqual(a.rng);
      // the metrics log has no duplicated steps after the resume
      const steps = (await readMetrics(killed.dir)).filter((e) => e.type === 'metrics').map((e) => e.step);
      expect(steps).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    }, 200_000);
  }
});
