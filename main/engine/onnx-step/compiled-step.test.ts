/**
 * The compiled (onnxruntime) training step against the tfjs step it was traced from: per architecture and
 * stabiliser, the compiled update from the same state and feeds agrees (engine 'onnxruntime' stops on a mismatch);
 * a trace bakes in no value that changes between steps; a restored run continues bit-for-bit; failures fall back
 * to tfjs from the same state, losing no step; a NaN is reported by the same guard, naming the layer.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { parseConfig, type TrainConfigInput } from '../../../shared/config';
import { TOYS_2D, sampleMixture } from '../../../shared/toys2d';
import { dataSource, type DataSource } from '../trainer/data';
import { Trainer } from '../trainer/trainer';
import { NonFiniteError } from '../trainer/nan-guard';
import { tensorsOf } from '../trainer/feeds';
import { Rng } from '../trainer/rng';
import { traceUpdate } from './trace';
import { compileTrace } from './graph';

beforeAll(async () => {
  await initBackend({ force: 'wasm', wasmThreads: 1 });
});

const ring = TOYS_2D.ring8;
const points: DataSource = dataSource({ kind: 'points', id: 'ring8', modes: ring.modes, std: ring.std, classes: [], sample: (n, r) => sampleMixture(ring.modes, ring.std, n, r) });

function images(size: number, channels: 1 | 3, classes = 0): DataSource {
  const r = new Rng(11);
  const count = 96;
  return dataSource({
    kind: 'images', id: `img${size}`, width: size, height: size, channels, count,
    pixels: Uint8Array.from({ length: count * size * size * channels }, () => r.int(256)),
    ...(classes ? { labels: Uint8Array.from({ length: count }, (_, i) => i % classes), classes: Array.from({ length: classes }, (_, i) => `c${i}`) } : { classes: ['x'] }),
  });
}

const ARCHS: { arch: string; data: () => DataSource; extra?: TrainConfigInput }[] = [
  { arch: 'mlp', data: () => points },
  { arch: 'dcgan28', data: () => images(28, 1) },
  { arch: 'cnn32', data: () => images(32, 3) },
  { arch: 'resnet32', data: () => images(32, 3) },
  { arch: 'cnn64', data: () => images(64, 3) },
  { arch: 'dcgan28', data: () => images(28, 1, 3), extra: { conditional: true } },
];

const cfg = (arch: string, c: TrainConfigInput = {}) =>
  parseConfig({ arch, batch: 8, zdim: 16, d: { ch: 8, ...(c.d ?? {}) }, g: { ch: 8 }, seed: 5, ema: { enabled: true, decay: 0.9 }, aug: { mode: 'off' }, ...c, ...(c.d ? { d: { ch: 8, ...c.d } } : {}) } as TrainConfigInput);

async function weights(tr: Trainer): Promise<Float32Array> {
  const s = await tr.getState();
  const parts = [...Object.keys(s.vars).sort().map((k) => s.vars[k]), ...Object.keys(s.adamD.m).sort().map((k) => s.adamD.m[k]), ...Object.keys(s.ema ?? {}).sort().map((k) => s.ema![k])];
  return Float32Array.from(parts.flatMap((p) => Array.from(p)));
}

describe('compiled step: every architecture × stabiliser compiles and matches its tfjs update', () => {
  for (const a of ARCHS) {
    const name = `${a.arch}${a.extra?.conditional ? ' (conditional)' : ''}`;
    it(`${name}: sn, gp, sn+gp, bn, none`, async () => {
      const data = a.data();
      for (const norm of ['sn', 'gp', 'sn+gp', 'bn', 'none'] as const) {
        // 'onnxruntime' throws where 'auto' would fall back: a compile failure or a mismatch fails this test
        const tr = new Trainer(cfg(a.arch, { ...a.extra, d: { norm }, engine: 'onnxruntime' }), data);
        for (let i = 0; i < 2; i++) {
          const l = await tr.advance(i === 1);
          expect(Number.isFinite(l.dLoss) && Number.isFinite(l.gLoss), `${name} ${norm}`).toBe(true);
        }
        expect(tr.engine.engine, `${name} ${norm}: ${tr.engine.reason}`).toBe('onnxruntime');
        const d = tr.diagnostics();
        expect(d.layers.every((l) => l.gradNorm > 0 && Number.isFinite(l.sigmaRaw)), `${name} ${norm}`).toBe(true);
        tr.dispose();
      }
    }, 120_000);
  }
});

describe('compiled step: the other settings that change the graph', () => {
  it('dcgan28: ln, clip, DiffAugment, ADA, per-forward SN, n_dis 2 with linear decay, genBatch, dequantisation', async () => {
    const data = images(28, 1);
    const variants: TrainConfigInput[] = [
      { d: { norm: 'ln' } }, { d: { norm: 'clip' } }, { aug: { mode: 'diffaugment' } }, { aug: { mode: 'ada', p0: 0.5 } },
      { sn: { update: 'per-forward' } }, { ndis: 2, lrDecay: 'linear', steps: 10 }, { genBatch: 16 }, { dequantize: true },
    ];
    for (const v of variants) {
      const tr = new Trainer(cfg('dcgan28', { ...v, engine: 'onnxruntime' }), data);
      for (let i = 0; i < 2; i++) expect(Number.isFinite((await tr.advance(i === 1)).dLoss), JSON.stringify(v)).toBe(true);
      expect(tr.engine.engine, JSON.stringify(v)).toBe('onnxruntime');
      tr.dispose();
    }
  }, 120_000);
});

describe('compiled step: correctness of the whole', () => {
  it('a trace bakes in nothing that changes from step to step: two steps compile to identical graphs', () => {
    const data = images(28, 1, 3);
    for (const c of [cfg('dcgan28', { d: { norm: 'sn+gp' }, conditional: true, lrDecay: 'linear', steps: 20 }), cfg('dcgan28', { aug: { mode: 'ada' }, ema: { enabled: true, start: 2 } })]) {
      const tr = new Trainer(c, data);
      const graphs = (): Uint8Array[] => {
        const out: Uint8Array[] = [];
        for (const which of ['D', 'G'] as const) {
          const feeds = which === 'D' ? tr.planD() : tr.planG();
          const t = tensorsOf(feeds);
          const { trace, value } = traceUpdate(t, () => (which === 'D' ? tr.tracedD(t) : tr.tracedG(t)), (r) => r);
          tf.dispose([...Object.values(t), ...Object.values(value)]);
          out.push(compileTrace(trace).bytes);
        }
        return out;
      };
      const first = graphs();
      for (let i = 0; i < 3; i++) tr.trainStep();
      const later = graphs();
      for (let i = 0; i < 2; i++) expect(Buffer.compare(Buffer.from(first[i]), Buffer.from(later[i])), `graph ${i}`).toBe(0);
      tr.dispose();
    }
  });

  it('stays with tfjs over a few steps (same seed): losses and weights agree within float32 reassociation', async () => {
    const data = images(28, 1);
    const a = new Trainer(cfg('dcgan28', { engine: 'tfjs' }), data);
    const b = new Trainer(cfg('dcgan28', { engine: 'onnxruntime' }), data);
    for (let i = 0; i < 4; i++) {
      const la = a.trainStep();
      const lb = await b.advance();
      expect(Math.abs(lb.dLoss - la.dLoss)).toBeLessThan(1e-3 * Math.abs(la.dLoss) + 1e-5);
      expect(Math.abs(lb.gLoss - la.gLoss)).toBeLessThan(1e-3 * Math.abs(la.gLoss) + 1e-4);
    }
    // every parameter that shapes the function, within 1e-4. Left out: the biases right before batch norm (BN
    // subtracts them again, so their gradient is 0 in exact arithmetic and float noise in both engines, which Adam
    // turns into steps of either sign) and the running means they shift.
    const sa = await a.getState();
    const sb = await b.getState();
    const idle = (k: string) => /^G\/deconv\d+\/bias$|moving_mean$/.test(k);
    let d = 0;
    let n = 0;
    for (const part of ['vars', 'ema'] as const) {
      for (const [k, x] of Object.entries(sa[part] ?? {})) {
        if (idle(k)) continue;
        const y = sb[part]![k];
        for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
    expect(d).toBeLessThan(1e-4);
    a.dispose();
    b.dispose();
  });

  it('a restored run continues bit-for-bit within the compiled engine', async () => {
    const data = images(28, 1);
    const c = cfg('dcgan28', { engine: 'onnxruntime', aug: { mode: 'ada' } });
    const a = new Trainer(c, data);
    for (let i = 0; i < 3; i++) await a.advance();
    const mid = await a.getState();
    for (let i = 0; i < 3; i++) await a.advance(i === 2);
    const b = new Trainer(c, data);
    b.setState(structuredClone(mid));
    for (let i = 0; i < 3; i++) await b.advance(i === 2);
    expect(b.engine.engine).toBe('onnxruntime');
    expect(Buffer.compare(Buffer.from((await weights(a)).buffer), Buffer.from((await weights(b)).buffer))).toBe(0);
    expect(b.aug.ada.getState()).toEqual(a.aug.ada.getState());
    a.dispose();
    b.dispose();
  });

  it("a graph that does not load: 'auto' trains on tfjs with the reason, bit-identical to a tfjs run", async () => {
    const data = images(28, 1);
    const ref = new Trainer(cfg('dcgan28', { engine: 'tfjs' }), data);
    const tr = new Trainer(cfg('dcgan28', { engine: 'auto' }), data, { compiled: { failCreate: true } });
    for (let i = 0; i < 3; i++) {
      ref.trainStep();
      await tr.advance();
    }
    expect(tr.engine.engine).toBe('tfjs');
    expect(tr.engine.reason).toMatch(/does not compile \(step 0\): injected failure/);
    expect(Buffer.compare(Buffer.from((await weights(ref)).buffer), Buffer.from((await weights(tr)).buffer))).toBe(0);
    ref.dispose();
    tr.dispose();
    const strict = new Trainer(cfg('dcgan28', { engine: 'onnxruntime' }), data, { compiled: { failCreate: true } });
    await expect(strict.advance()).rejects.toThrow(/engine onnxruntime: the D update does not compile/);
    strict.dispose();
  });

  it('a compiled update failing mid-training: tfjs continues from the same state, no step lost', async () => {
    const data = images(28, 1);
    const c = cfg('dcgan28', { engine: 'auto' });
    const tr = new Trainer(c, data, { compiled: { failRunAt: 3 } });
    const ref = new Trainer(c, data);
    for (let i = 0; i < 3; i++) {
      await tr.advance();
      await ref.advance();
    }
    // from here tr's step 3 runs on tfjs from the very state ref's compiled step 3 starts from
    const before = await ref.getState();
    const check = new Trainer({ ...c, engine: 'tfjs' }, data);
    check.setState(structuredClone(before));
    await tr.advance();
    check.trainStep();
    expect(tr.step).toBe(4);
    expect(tr.engine.engine).toBe('tfjs');
    expect(tr.engine.reason).toMatch(/failed at step 3: injected failure/);
    expect(Buffer.compare(Buffer.from((await weights(check)).buffer), Buffer.from((await weights(tr)).buffer))).toBe(0);
    for (const t of [tr, ref, check]) t.dispose();
  });

  it('a NaN in the compiled step is caught by the same guard, naming the layer, before it is applied', async () => {
    const data = images(28, 1);
    const tr = new Trainer(cfg('dcgan28', { engine: 'onnxruntime' }), data);
    await tr.advance();
    const s = await tr.getState();
    const k = Object.keys(s.vars).find((n) => n.startsWith('D/conv2/kernel'))!;
    s.vars[k] = s.vars[k].map((x, i) => (i === 3 ? NaN : x));
    tr.setState(s);
    const err = await tr.advance().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as NonFiniteError).layer).toBe('D/conv2');
    expect(tr.step).toBe(1);
    tr.dispose();
  });
});
