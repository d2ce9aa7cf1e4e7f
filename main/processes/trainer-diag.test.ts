import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend';
import { parseConfig } from '../../shared/config';
import { TrainerEvent, type LayerSpectrum } from '../../shared/events';
import { TOYS_2D, sampleMixture } from '../../shared/toys2d';
import { dataSource } from '../engine/trainer/data';
import { Trainer } from '../engine/trainer/trainer';
import { TrainLoop, type RunSink } from '../engine/trainer/loop';
import { SpectraRunner, captureKernels, type KernelSource } from '../engine/trainer/spectra-runner';
import { spectraWorkerEntry } from './entries';
import { spectraOf } from '../engine/trainer/spectra';
import { svd } from '../engine/linalg/svd';
import { matriciseHost } from '../engine/trainer/spectra';

const ring = TOYS_2D.ring8;
const ring8 = dataSource({ kind: 'points', id: 'ring8', modes: ring.modes, std: ring.std, classes: [], sample: (n, r) => sampleMixture(ring.modes, ring.std, n, r) });
const cfg = (o: object = {}) => parseConfig({ batch: 16, zdim: 4, d: { ch: 16 }, g: { ch: 16 }, logEvery: 5, sampleEvery: 10, checkpointEvery: 100, ...o });

function memSink() {
  const log: TrainerEvent[] = [];
  const sink: RunSink = {
    appendMetrics: async (e) => void log.push(e as TrainerEvent),
    writeSample: async (step) => `mem://step-${step}.png`,
    writeCheckpoint: async (step) => `mem://step-${step}.ckpt`,
    updateStatus: async () => undefined,
  };
  return { sink, log };
}

const sources = (tr: Trainer): KernelSource[] =>
  [tr.D.params, tr.G.params].flatMap((p) => p.kernels.map((k) => ({ name: k.name, kind: k.kind, tensor: p.vars.get(k.kernel)! })));

beforeAll(async () => {
  await initBackend();
});

describe('TrainLoop diagnostics', () => {
  const runner = new SpectraRunner({ worker: spectraWorkerEntry() });
  afterAll(() => runner.dispose());

  it('every diagEvery steps: worker spectra of D and G kernels as read at that step, stored and schema-valid', async () => {
    const tr = new Trainer(cfg({ diagEvery: 10 }), ring8);
    const m = memSink();
    const events: TrainerEvent[] = [];
    const reference = new Map<number, LayerSpectrum[]>();
    const loop = new TrainLoop({
      trainer: tr,
      steps: 30,
      sink: m.sink,
      emit: (e) => events.push(e),
      spectra: (s) => {
        const host = captureKernels(sources(tr));
        reference.set(s, spectraOf(host.map((k) => ({ ...k, data: k.data.slice() }))));
        return runner.compute(host);
      },
    });
    expect(runner.mode).toBe('worker');
    expect(await loop.run()).toBe('finished');
    const sp = m.log.filter((e): e is Extract<TrainerEvent, { type: 'spectra' }> => e.type === 'spectra');
    expect(sp.map((e) => e.step)).toEqual([10, 20, 30]);
    for (const e of sp) {
      expect(TrainerEvent.safeParse(JSON.parse(JSON.stringify(e))).success).toBe(true);
      expect(e.spectra).toEqual(reference.get(e.step));
      expect(e.spectra.map((l) => l.name)).toEqual(sources(tr).map((k) => k.name));
    }
    // independent check of one layer at the end: the Jacobi SVD of the matricised kernel
    const last = captureKernels(sources(tr));
    const k = last[1];
    const { m: mat, rows, cols } = matriciseHost(k);
    const ref = svd(mat, rows, cols).S;
    const s30 = sp[2].spectra[1];
    expect(s30.count).toBe(Math.min(rows, cols));
    s30.values.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 4));
    expect(s30.sigmaMax).toBeCloseTo(ref[0], 4);
    tr.dispose();
  });

  it('diagEvery=0 computes none; a collapsed spectrum raises one stored alert; evalEvery logs eval events', async () => {
    const tr = new Trainer(cfg({ diagEvery: 0, evalEvery: 10 }), ring8);
    let calls = 0;
    const off = new TrainLoop({ trainer: tr, steps: 10, sink: memSink().sink, emit: () => undefined, spectra: async () => (calls++, { spectra: [], ms: 0 }) });
    await off.run();
    expect(calls).toBe(0);

    const tr2 = new Trainer(cfg({ diagEvery: 5, evalEvery: 10 }), ring8);
    const m = memSink();
    const collapsed: LayerSpectrum = { name: 'D/fc1', rows: 4, cols: 4, count: 4, values: [1, 1e-3, 1e-4, 0], sigmaMax: 1, condition: null, smallShare: 0.75 };
    const loop = new TrainLoop({
      trainer: tr2,
      steps: 20,
      sink: m.sink,
      emit: () => undefined,
      spectra: async () => ({ spectra: [collapsed], ms: 1 }),
      evalImages: async (step) => ({ samples: 8, msssim: step / 100 }),
    });
    await loop.run();
    const alerts = m.log.filter((e) => e.type === 'alert');
    expect(alerts).toHaveLength(1); // deduplicated while the condition lasts
    expect(alerts[0]).toMatchObject({ type: 'alert', kind: 'spectral_collapse', layer: 'D/fc1', severity: 'warning', step: 5 });
    expect(m.log.filter((e) => e.type === 'eval').map((e) => [e.step, (e as { eval: { msssim: number } }).eval.msssim])).toEqual([[10, 0.1], [20, 0.2]]);
    tr.dispose();
    tr2.dispose();
  });
});
