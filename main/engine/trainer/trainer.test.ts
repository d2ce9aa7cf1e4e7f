import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { parseConfig, type TrainConfigInput } from '../../../shared/config';
import { TOYS_2D, sampleMixture } from '../../../shared/toys2d';
import { dataSource, type DataSource } from './data';
import { Trainer } from './trainer';
import { NonFiniteError } from './nan-guard';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint';

const ring = TOYS_2D.ring8;
export const ring8: DataSource = dataSource({
  kind: 'points',
  id: 'ring8',
  modes: ring.modes,
  std: ring.std,
  classes: [],
  sample: (n, r) => sampleMixture(ring.modes, ring.std, n, r),
});

const small = (c: TrainConfigInput = {}) => parseConfig({ batch: 32, zdim: 8, d: { ch: 32, ...(c.d ?? {}) }, g: { ch: 32 }, seed: 3, ...c, ...(c.d ? { d: { ch: 32, ...c.d } } : {}) });

beforeAll(async () => {
  await initBackend();
});

async function weights(tr: Trainer): Promise<Float32Array[]> {
  return Promise.all([...tr.G.params.trainable(), ...tr.D.params.trainable()].map(async (v) => (await v.data()) as Float32Array));
}

describe('Trainer on ring8 (MLP)', () => {
  for (const norm of ['sn', 'none', 'gp', 'sn+gp', 'bn', 'ln', 'clip'] as const) {
    it(`trains a few steps with d.norm=${norm}`, () => {
      const tr = new Trainer(small({ d: { norm } }), ring8);
      for (let i = 0; i < 3; i++) {
        const l = tr.trainStep(i === 2);
        expect(Number.isFinite(l.dLoss) && Number.isFinite(l.gLoss)).toBe(true);
      }
      const d = tr.diagnostics();
      expect(d.layers.map((l) => l.name)).toEqual(['D/fc1', 'D/fc2', 'D/fc3', 'D/out']);
      if (norm === 'sn') for (const l of d.layers) expect(l.sigmaBar).toBeGreaterThan(0.5);
      expect(d.layers.every((l) => l.gradNorm > 0)).toBe(true);
      tr.dispose();
    });
  }

  for (const loss of ['hinge', 'ns', 'wgan', 'ls'] as const) {
    it(`loss=${loss} runs`, () => {
      const tr = new Trainer(small({ loss, ema: { enabled: true, decay: 0.9 }, lrDecay: 'linear', steps: 4 }), ring8);
      for (let i = 0; i < 2; i++) expect(Number.isFinite(tr.trainStep().gLoss)).toBe(true);
      tr.dispose();
    });
  }

  it('keeps the tensor count flat over many steps', async () => {
    const start = tf.memory().numTensors;
    const tr = new Trainer(small({ ndis: 2, d: { norm: 'sn+gp' }, ema: { enabled: true } }), ring8);
    for (let i = 0; i < 5; i++) tr.trainStep(true);
    tr.diagnostics();
    await tr.sample();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      tr.trainStep(i % 10 === 0);
      if (i % 50 === 0) {
        tr.diagnostics();
        await tr.sample();
        await tr.generate(100);
        await tr.getState();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tr.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('resumes bit-for-bit from a checkpoint', async () => {
    const cfg = small({ d: { norm: 'sn' }, ndis: 2, ema: { enabled: true, decay: 0.9 } });
    const a = new Trainer(cfg, ring8);
    for (let i = 0; i < 30; i++) a.trainStep(i % 7 === 0);
    const straight = await weights(a);
    const straightState = await a.getState();

    const b = new Trainer(cfg, ring8);
    for (let i = 0; i < 15; i++) b.trainStep();
    const bytes = encodeCheckpoint(await b.getState());
    b.dispose();
    const c = new Trainer(cfg, ring8);
    c.setState(decodeCheckpoint(bytes).state);
    expect(c.step).toBe(15);
    for (let i = 0; i < 15; i++) c.trainStep(i % 5 === 0);
    const resumed = await weights(c);
    expect(resumed.length).toBe(straight.length);
    for (let i = 0; i < straight.length; i++) expect(Buffer.from(resumed[i].buffer).equals(Buffer.from(straight[i].buffer))).toBe(true);
    const resumedState = await c.getState();
    expect(resumedState.rng).toEqual(straightState.rng);
    for (const k of Object.keys(straightState.sn)) expect(Array.from(resumedState.sn[k].u)).toEqual(Array.from(straightState.sn[k].u));
    expect(Array.from(Object.values(resumedState.ema!)[0])).toEqual(Array.from(Object.values(straightState.ema!)[0]));
    a.dispose();
    c.dispose();
  });

  it('stops on NaN before applying the update and names the layer', () => {
    const tr = new Trainer(small({ d: { norm: 'none' } }), ring8);
    tr.trainStep();
    const v = tr.D.params.vars.get('D/fc2/kernel')!;
    tf.tidy(() => v.assign(tf.fill(v.shape, NaN)));
    const before = tr.G.params.vars.get('G/fc1/kernel')!.dataSync().slice();
    let err: unknown;
    try {
      tr.trainStep();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as NonFiniteError).layer).toBe('D/fc2');
    expect((err as NonFiniteError).step).toBe(1);
    expect(tr.step).toBe(1);
    expect(tr.nonFiniteWeights()).toBe('D/fc2');
    expect(Array.from(tr.G.params.vars.get('G/fc1/kernel')!.dataSync())).toEqual(Array.from(before));
    tr.dispose();
  });
});

describe('sn.update, G batch, LR extension (issue #17)', () => {
  /** Power iterations run on D's first SN layer during one trainStep. */
  function itersPerStep(update: 'per-step' | 'per-forward', norm: 'sn' | 'sn+gp'): number {
    const tr = new Trainer(small({ ndis: 2, d: { norm }, sn: { update } }), ring8);
    const sn = tr.D.params.kernels[0].sn!;
    let calls = 0;
    const orig = sn.powerIterate.bind(sn);
    sn.powerIterate = () => { calls++; orig(); };
    expect(Number.isFinite(tr.trainStep(true).dLoss)).toBe(true);
    tr.dispose();
    return calls;
  }
  it("'per-step' refreshes u once per D update and once for the G step; 'per-forward' on every D forward", () => {
    expect(itersPerStep('per-step', 'sn')).toBe(2 + 1);
    // real + fake per D update, one in the G step
    expect(itersPerStep('per-forward', 'sn')).toBe(2 * 2 + 1);
    // the GP's interpolate forward refreshes too
    expect(itersPerStep('per-forward', 'sn+gp')).toBe(2 * 3 + 1);
  });

  it('per-forward trains, and σ(W̄) stays ≈ 1', () => {
    const tr = new Trainer(small({ sn: { update: 'per-forward', warmup: 10 } }), ring8);
    for (let i = 0; i < 5; i++) tr.trainStep(i === 4);
    for (const l of tr.diagnostics().layers) expect(Math.abs(l.sigmaBar - 1)).toBeLessThan(0.2);
    tr.dispose();
  });

  it('genBatch: the G step draws that many samples', () => {
    const tr = new Trainer(small({ genBatch: 48, ndis: 1 }), ring8);
    const shapes: number[] = [];
    const apply = tr.G.apply.bind(tr.G);
    tr.G.apply = (z, oh) => { shapes.push(z.shape[0]); return apply(z, oh); };
    tr.trainStep();
    expect(shapes).toEqual([32, 48]);
    tr.dispose();
  });

  it('extending a linear-decay run bends the LR line at the current step (no jump), and a checkpoint keeps it', async () => {
    const cfg = small({ lrDecay: 'linear', steps: 10, ndis: 1 });
    const a = new Trainer(cfg, ring8);
    for (let i = 0; i < 6; i++) a.trainStep();
    const before = a.schedule.at(6);
    expect(before).toBeCloseTo(a.lr0 * 0.4, 12);
    a.extendTo(20);
    expect(a.schedule.at(6)).toBeCloseTo(before, 12);
    expect(a.schedule.at(13)).toBeCloseTo(before / 2, 12);
    expect(a.schedule.at(20)).toBe(0);
    const b = new Trainer(cfg, ring8);
    b.setState(decodeCheckpoint(encodeCheckpoint(await a.getState())).state);
    b.extendTo(20); // the resumed loop asks again: a no-op
    expect(b.schedule.at(13)).toBeCloseTo(before / 2, 12);
    a.dispose();
    b.dispose();
  });
});
