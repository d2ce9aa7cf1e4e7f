import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { parseConfig } from '../../../shared/config';
import type { TrainerEvent } from '../../../shared/events';
import { TOYS_2D, sampleMixture, modeCoverage } from '../../../shared/toys2d';
import { dataSource } from './data';
import { Trainer } from './trainer';
import { TrainLoop, type RunSink } from './loop';
import { decodeCheckpoint } from './checkpoint';

const ring = TOYS_2D.ring8;
const ring8 = dataSource({ kind: 'points', id: 'ring8', modes: ring.modes, std: ring.std, classes: [], sample: (n, r) => sampleMixture(ring.modes, ring.std, n, r) });

function memSink() {
  const log: object[] = [];
  const ckpts: { step: number; bytes: Uint8Array }[] = [];
  const samples: number[] = [];
  let status: Record<string, unknown> = {};
  const sink: RunSink = {
    appendMetrics: async (e) => void log.push(e),
    writeSample: async (step) => (samples.push(step), `mem://step-${step}.png`),
    writeCheckpoint: async (step, bytes) => (ckpts.push({ step, bytes }), `mem://step-${step}.ckpt`),
    updateStatus: async (p) => void (status = { ...status, ...p }),
    latestCheckpoint: async () => ckpts.at(-1)?.bytes ?? null,
  };
  return { sink, log, ckpts, samples, status: () => status };
}

const cfg = (o: object = {}) => parseConfig({ batch: 16, zdim: 4, d: { ch: 16 }, g: { ch: 16 }, logEvery: 5, sampleEvery: 10, checkpointEvery: 10, ...o });

beforeAll(async () => {
  await initBackend();
});

describe('TrainLoop', () => {
  it('runs to the end with metrics, samples with mode coverage, checkpoints and progress', async () => {
    const tr = new Trainer(cfg(), ring8);
    const m = memSink();
    const events: TrainerEvent[] = [];
    const loop = new TrainLoop({
      trainer: tr,
      steps: 20,
      sink: m.sink,
      emit: (e) => events.push(e),
      evalPoints: (p) => ({ ...modeCoverage(p, ring.modes, ring.std), modesTotal: 8 }),
      evalSamples: 500,
    });
    expect(await loop.run()).toBe('finished');
    const metrics = events.filter((e) => e.type === 'metrics');
    expect(metrics.map((e) => e.step)).toEqual([5, 10, 15, 20]);
    const last = metrics.at(-1) as Extract<TrainerEvent, { type: 'metrics' }>;
    expect(last.layers).toHaveLength(4);
    expect(last.lipschitzBound).toBeGreaterThan(0);
    expect(last.eval?.modesTotal).toBe(8);
    expect(m.samples).toEqual([10, 20]);
    expect(m.ckpts.map((c) => c.step)).toEqual([10, 20]);
    expect(events.some((e) => e.type === 'progress' && e.step === 20)).toBe(true);
    expect(m.status().state).toBe('finished');
    expect(m.log.filter((e) => (e as { type: string }).type === 'sample')).toHaveLength(2);
    tr.dispose();
  });

  it('pauses, steps once, resumes and stops with a checkpoint', async () => {
    const tr = new Trainer(cfg({ checkpointEvery: 1000 }), ring8);
    const m = memSink();
    const events: TrainerEvent[] = [];
    const loop = new TrainLoop({ trainer: tr, steps: 10_000, sink: m.sink, emit: (e) => events.push(e), startPaused: true });
    const done = loop.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(tr.step).toBe(0);
    expect(loop.state).toBe('paused');
    loop.stepOnce();
    // the first step compiles the step for onnxruntime: wait for it, then make sure it stays paused at 1
    for (let i = 0; i < 500 && tr.step < 1; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(tr.step).toBe(1);
    expect(tr.engine.engine).toBe('onnxruntime');
    loop.resume();
    for (let i = 0; i < 500 && tr.step <= 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tr.step).toBeGreaterThan(1);
    loop.stop();
    expect(await done).toBe('stopped');
    expect(m.ckpts.at(-1)!.step).toBe(tr.step);
    expect(decodeCheckpoint(m.ckpts.at(-1)!.bytes).state.step).toBe(tr.step);
    tr.dispose();
  });

  it('a resume that arrives while the paused status is being written is not lost', async () => {
    const tr = new Trainer(cfg({ checkpointEvery: 1000 }), ring8);
    const m = memSink();
    let release: (() => void) | undefined;
    // Hold the 'paused' status write open, as a slow disk would, and resume during it.
    const sink: RunSink = {
      ...m.sink,
      updateStatus: async (p) => {
        if (p.state === 'paused' && !release) await new Promise<void>((r) => (release = r));
        await m.sink.updateStatus(p);
      },
    };
    const loop = new TrainLoop({ trainer: tr, steps: 10_000, sink, emit: () => {} });
    const done = loop.run();
    await new Promise((r) => setTimeout(r, 100));
    loop.pause();
    for (let i = 0; i < 100 && !release; i++) await new Promise((r) => setTimeout(r, 20));
    expect(release).toBeDefined();
    loop.resume();
    release!();
    const pausedAt = tr.step;
    await new Promise((r) => setTimeout(r, 400));
    expect(tr.step).toBeGreaterThan(pausedAt);
    loop.stop();
    expect(await done).toBe('stopped');
    tr.dispose();
  });

  it('NaN guard: pauses, emits an error naming step and layer, keeps the last good checkpoint, rolls back on resume', async () => {
    const tr = new Trainer(cfg({ d: { ch: 16, norm: 'none' } }), ring8);
    const m = memSink();
    const events: TrainerEvent[] = [];
    let poisoned = false;
    const loop = new TrainLoop({
      trainer: tr,
      steps: 40,
      sink: m.sink,
      restore: (b) => tr.setState(decodeCheckpoint(b).state),
      emit: (e) => {
        events.push(e);
        if (e.type === 'checkpoint' && e.step === 10 && !poisoned) {
          poisoned = true;
          const v = tr.D.params.vars.get('D/fc3/kernel')!;
          tf.tidy(() => v.assign(tf.fill(v.shape, Infinity)));
        }
      },
    });
    const done = loop.run();
    for (let i = 0; i < 100 && loop.state !== 'paused'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(loop.state).toBe('paused');
    const err = events.find((e) => e.type === 'error') as Extract<TrainerEvent, { type: 'error' }>;
    expect(err).toMatchObject({ code: 'non_finite', step: 10, layer: 'D/fc3' });
    expect(m.ckpts.map((c) => c.step)).toEqual([10]);
    expect(m.status()).toMatchObject({ state: 'paused', errorLayer: 'D/fc3', errorStep: 10 });
    loop.resume();
    expect(await done).toBe('finished');
    expect(tr.nonFiniteWeights()).toBeNull();
    expect(tr.step).toBe(40);
    tr.dispose();
  });
});
