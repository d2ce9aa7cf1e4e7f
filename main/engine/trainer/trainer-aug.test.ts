import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { parseConfig, type TrainConfigInput } from '../../../shared/config';
import { dataSource } from './data';
import { Rng } from './rng';
import { Trainer } from './trainer';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint';

beforeAll(async () => {
  await initBackend();
});

const images = (count: number) => {
  const r = new Rng(1);
  return dataSource(
    { kind: 'images', id: 'tiny', width: 28, height: 28, channels: 1, count, pixels: Uint8Array.from({ length: count * 784 }, () => r.int(256)), classes: ['x'] },
    { seed: 5, batch: 8 },
  );
};
const cfg = (c: TrainConfigInput = {}) => parseConfig({ dataset: 'tiny', arch: 'dcgan28', batch: 8, zdim: 8, g: { ch: 4 }, d: { ch: 4 }, sn: { warmup: 2 }, seed: 5, ndis: 1, ...c });

/** Record the brightness of every parameter draw (one per batch: real, fake, G step). */
function recordDraws(tr: Trainer): Float32Array[] {
  const seen: Float32Array[] = [];
  const draw = tr.aug.drawArrays.bind(tr.aug);
  tr.aug.drawArrays = (rng, n) => {
    const t = draw(rng, n);
    if (t) seen.push(t.brightness!.data);
    return t;
  };
  return seen;
}

describe('augmentation in the trainer', () => {
  it("'auto' turns ADA on for a small image dataset; 'off' draws nothing", () => {
    const data = images(16);
    const on = new Trainer(cfg(), data);
    expect(on.aug.mode).toBe('ada');
    expect(on.aug.ops).toEqual(['color', 'translation', 'cutout']);
    const off = new Trainer(cfg({ aug: { mode: 'off' } }), data);
    expect(off.aug.active).toBe(false);
    const draws = recordDraws(off);
    off.trainStep();
    expect(draws.length).toBe(0);
    on.dispose();
    off.dispose();
  });

  it('reals and fakes get independent per-sample parameters in every D step, and the G step its own', () => {
    const tr = new Trainer(cfg({ aug: { mode: 'diffaugment' } }), images(16));
    const draws = recordDraws(tr);
    expect(Number.isFinite(tr.trainStep().dLoss)).toBe(true);
    expect(draws.length).toBe(3); // real, fake, G
    const [real, fake, g] = draws.map((d) => Array.from(d));
    expect(new Set(real).size).toBe(8); // per sample
    expect(real).not.toEqual(fake);
    expect(g).not.toEqual(fake);
    tr.dispose();
  });

  it('samples and generate() never pass through the augmentation', async () => {
    const tr = new Trainer(cfg({ aug: { mode: 'diffaugment' } }), images(16));
    tr.trainStep();
    let applied = 0;
    const apply = tr.aug.apply.bind(tr.aug);
    tr.aug.apply = (x, t) => { applied += t ? 1 : 0; return apply(x, t); };
    const a = await tr.sample();
    const b = await tr.sample();
    await tr.generate(4);
    expect(applied).toBe(0);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    tr.dispose();
  });

  it('ADA: resume from a checkpoint is bit-exact, with the same augmentation parameters and p', async () => {
    const c = cfg({ aug: { mode: 'ada', p0: 0.5, interval: 2, speedKimg: 0.05 } });
    const data = images(16);
    const a = new Trainer(c, data);
    const drawsA = recordDraws(a);
    for (let i = 0; i < 8; i++) a.trainStep();
    const b = new Trainer(c, data);
    for (let i = 0; i < 4; i++) b.trainStep();
    const bytes = encodeCheckpoint(await b.getState());
    b.dispose();
    const r = new Trainer(c, data);
    r.setState(decodeCheckpoint(bytes).state);
    const drawsR = recordDraws(r);
    for (let i = 0; i < 4; i++) r.trainStep();
    // the last four steps' draws (3 per step) match the straight run's
    expect(drawsR.map((d) => Array.from(d))).toEqual(drawsA.slice(12).map((d) => Array.from(d)));
    const [sa, sr] = [await a.getState(), await r.getState()];
    expect(sr.aug).toEqual(sa.aug);
    expect(sa.aug!.p).not.toBe(0.5); // p moved
    for (const k of Object.keys(sa.vars)) expect(Buffer.from(sr.vars[k].buffer).equals(Buffer.from(sa.vars[k].buffer))).toBe(true);
    a.dispose();
    r.dispose();
  });

  it('the gauge scores training vs held-out images without touching the training RNG', () => {
    const data = images(240);
    expect(data.heldOut?.count).toBe(100);
    expect(data.count).toBe(140);
    const tr = new Trainer(cfg({ aug: { mode: 'off' } }), data);
    tr.trainStep();
    const before = tr.rng.getState();
    const g = tr.gauge()!;
    expect(tr.rng.getState()).toEqual(before);
    expect(g.n).toBe(100);
    expect(g.gap).toBeCloseTo(g.dTrain - g.dHeldOut, 6);
    expect(tr.gauge()).toEqual(g); // same step, same batches
    const n0 = tf.memory().numTensors;
    tr.gauge();
    expect(tf.memory().numTensors).toBe(n0);
    tr.dispose();
  });
});

describe('the loop logs augmentation and the gauge, and shows augmented reals apart from samples', () => {
  it('metrics carry augMode, p, r_t and the gauge; the first one the held-out slice; grids stay un-augmented', async () => {
    const { TrainLoop } = await import('./loop');
    const log: Record<string, unknown>[] = [];
    const written: { step: number; kind: string }[] = [];
    const tr = new Trainer(cfg({ aug: { mode: 'ada', p0: 0.2, interval: 1 }, steps: 4, logEvery: 2, sampleEvery: 4, checkpointEvery: 100, diagEvery: 0 }), images(240));
    const loop = new TrainLoop({
      trainer: tr,
      steps: 4,
      emit: () => {},
      alerts: false,
      sink: {
        appendMetrics: async (e) => void log.push(e as Record<string, unknown>),
        writeSample: async (step) => (written.push({ step, kind: 'sample' }), `step-${step}.png`),
        writeAugmented: async (step, s) => {
          expect(s.shape).toEqual([64, 28, 28, 1]);
          written.push({ step, kind: 'augmented' });
          return `augmented-${step}.png`;
        },
        writeCheckpoint: async () => 'ck',
        updateStatus: async () => {},
      },
    });
    expect(await loop.run()).toBe('finished');
    const metrics = log.filter((e) => e.type === 'metrics');
    expect(metrics.map((e) => e.step)).toEqual([2, 4]);
    for (const m of metrics) {
      expect(m.augMode).toBe('ada');
      expect(typeof m.augP).toBe('number');
      expect(typeof m.rt).toBe('number');
      expect(m.dGap).toBeCloseTo((m.dTrainMean as number) - (m.dHeldOutMean as number), 6);
    }
    expect(metrics[0].heldOut).toMatchObject({ count: 100, train: 140 });
    expect(metrics[1].heldOut).toBeUndefined();
    expect(written).toEqual([{ step: 4, kind: 'sample' }, { step: 4, kind: 'augmented' }]);
    tr.dispose();
  });
});
