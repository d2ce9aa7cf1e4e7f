import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { parseConfig } from '../../../shared/config';
import { Trainer } from '../trainer/trainer';
import { dataSource } from '../trainer/data';
import { buildModels, modelSpec, resolveArch } from './index';
import { Rng } from '../trainer/rng';

beforeAll(async () => {
  await initBackend();
});

function images(size: number, channels: 1 | 3, classes = 0) {
  const count = 16;
  const rng = new Rng(5);
  const pixels = Uint8Array.from({ length: count * size * size * channels }, () => rng.int(256));
  const labels = classes ? Uint8Array.from({ length: count }, (_, i) => i % classes) : undefined;
  return dataSource({ kind: 'images', id: 't', width: size, height: size, channels, count, pixels, labels, classes: Array.from({ length: Math.max(classes, 1) }, (_, i) => `c${i}`) });
}

describe('architectures', () => {
  it('auto picks by data shape', () => {
    expect(resolveArch('auto', [2])).toBe('mlp');
    expect(resolveArch('auto', [28, 28, 1])).toBe('dcgan28');
    expect(resolveArch('auto', [32, 32, 3])).toBe('cnn32');
    expect(resolveArch('auto', [64, 64, 3])).toBe('cnn64');
    expect(() => resolveArch('auto', [48, 48, 3])).toThrow();
  });

  const cases: [string, number, 1 | 3, number][] = [
    ['dcgan28', 28, 1, 0],
    ['cnn32', 32, 3, 0],
    ['cnn64', 64, 3, 0],
    ['resnet32', 32, 3, 0],
    ['dcgan28', 28, 1, 3],
    ['resnet32', 32, 3, 4],
  ];
  for (const [arch, size, ch, classes] of cases) {
    it(`${arch}${classes ? ' conditional' : ''} builds, shapes right, SN on every D kernel`, () => {
      const cfg = parseConfig({ arch, conditional: classes > 0, zdim: 16, batch: 4, d: { ch: 4 }, g: { ch: 4 } });
      const spec = modelSpec(cfg, [size, size, ch], classes);
      const { G, D } = buildModels(spec, new Rng(1));
      const z = tf.randomNormal([3, 16]);
      const oh = classes ? tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), classes).toFloat() : undefined;
      const x = G.apply(z, oh);
      expect(x.shape).toEqual([3, size, size, ch]);
      const v = x.dataSync();
      expect(Math.max(...v)).toBeLessThanOrEqual(1);
      const y = D.apply(x, oh);
      expect(y.shape).toEqual([3]);
      expect(D.params.kernels.length).toBeGreaterThan(3);
      expect(D.params.kernels.every((k) => !!k.sn)).toBe(true);
      expect(G.params.kernels.every((k) => !k.sn)).toBe(true);
      tf.dispose([z, x, y, oh ?? []]);
      G.params.dispose();
      D.params.dispose();
    });
  }

  it('dcgan28 SN-GAN trains a step with the paper settings and σ(W̄)≈1', () => {
    const tr = new Trainer(parseConfig({ arch: 'dcgan28', batch: 8, d: { ch: 8 }, g: { ch: 8 }, sn: { warmup: 10 } }), images(28, 1));
    tr.trainStep(true);
    const l = tr.trainStep(true);
    expect(Number.isFinite(l.dLoss)).toBe(true);
    const d = tr.diagnostics();
    expect(d.layers.length).toBe(6);
    for (const layer of d.layers) expect(Math.abs(layer.sigmaBar - 1)).toBeLessThan(0.1);
    tr.dispose();
  });

  it('conditional cnn32 with gp trains a step', () => {
    const tr = new Trainer(parseConfig({ arch: 'cnn32', conditional: true, batch: 4, zdim: 8, d: { ch: 4, norm: 'sn+gp' }, g: { ch: 4 } }), images(32, 3, 3));
    expect(tr.spec.classes).toBe(3);
    expect(Number.isFinite(tr.trainStep(true).dLoss)).toBe(true);
    tr.dispose();
  });
});

describe('generator batch norm running statistics', () => {
  it('track the batch statistics with momentum 0.1 (unbiased variance) in training, and are used in eval mode', async () => {
    const { Params, batchNorm, BN_MOMENTUM } = await import('./params');
    const p = new Params('T', new Rng(1), { sn: false, snIters: 1, snWarmup: 0, seed: 1 });
    const bn = batchNorm(p, 'bn', 3, [0]);
    const xv = new Rng(2).normal(8 * 3);
    const x = tf.tensor2d(xv, [8, 3]);
    // reference: per-channel mean / unbiased variance by hand
    const mean = [0, 1, 2].map((c) => [...Array(8).keys()].reduce((a, i) => a + xv[i * 3 + c], 0) / 8);
    const uvar = [0, 1, 2].map((c) => [...Array(8).keys()].reduce((a, i) => a + (xv[i * 3 + c] - mean[c]) ** 2, 0) / 7);
    bn(x).dispose();
    const rm = p.stats.get('T/bn/moving_mean')!.dataSync(), rv = p.stats.get('T/bn/moving_variance')!.dataSync();
    for (let c = 0; c < 3; c++) {
      expect(rm[c]).toBeCloseTo(BN_MOMENTUM * mean[c], 6);
      expect(rv[c]).toBeCloseTo(1 - BN_MOMENTUM + BN_MOMENTUM * uvar[c], 5);
    }
    // eval mode: a single row is normalised with the running statistics, and they do not move
    p.bnMode = 'eval';
    const y = bn(tf.tensor2d(xv.slice(0, 3), [1, 3])).dataSync();
    for (let c = 0; c < 3; c++) expect(y[c]).toBeCloseTo((xv[c] - rm[c]) / Math.sqrt(rv[c] + 1e-5), 5);
    expect(p.stats.get('T/bn/moving_mean')!.dataSync()[0]).toBe(rm[0]);
    p.dispose();
    x.dispose();
  });

  it('are checkpointed: a restored trainer samples exactly like the original', async () => {
    const config = parseConfig({ arch: 'dcgan28', batch: 4, zdim: 8, d: { ch: 4 }, g: { ch: 4 }, seed: 3 });
    const a = new Trainer(config, images(28, 1));
    for (let i = 0; i < 3; i++) a.trainStep();
    const state = await a.getState();
    expect(Object.keys(state.vars).some((k) => k.endsWith('moving_mean'))).toBe(true);
    const b = new Trainer(config, images(28, 1));
    b.setState(state);
    const [sa, sb] = [await a.sample(), await b.sample()];
    expect(Array.from(sb.data)).toEqual(Array.from(sa.data));
    a.dispose();
    b.dispose();
  });
});

describe('no bias outside SN in D heads (issue #17, defect 1)', () => {
  const cfg = (arch: string) => parseConfig({ arch, conditional: true, zdim: 8, batch: 4, d: { ch: 4 }, g: { ch: 4 } });
  for (const [arch, shape] of [['resnet32', [32, 32, 3]], ['dcgan28', [28, 28, 1]], ['mlp', [2]]] as const) {
    it(`${arch}: the class embedding has no bias (SNEmbedID)`, () => {
      const { G, D } = buildModels(modelSpec(cfg(arch), [...shape], 3), new Rng(1));
      expect(D.params.vars.has('D/embed/kernel')).toBe(true);
      expect(D.params.vars.has('D/embed/bias')).toBe(false);
      expect(D.params.kernels.find((k) => k.name === 'D/embed')?.sn).toBeDefined();
      G.params.dispose();
      D.params.dispose();
    });
  }
  it('resnet32: the final dense layer has no bias (nobias=True); the standard CNN keeps its', () => {
    const r = buildModels(modelSpec(cfg('resnet32'), [32, 32, 3], 3), new Rng(1));
    const c = buildModels(modelSpec(cfg('dcgan28'), [28, 28, 1], 3), new Rng(1));
    expect(r.D.params.vars.has('D/out/bias')).toBe(false);
    expect(c.D.params.vars.has('D/out/bias')).toBe(true);
    [r, c].forEach((m) => { m.G.params.dispose(); m.D.params.dispose(); });
  });
  it('an old checkpoint with the stale embedding bias loads, with a note naming it', async () => {
    const config = parseConfig({ arch: 'dcgan28', conditional: true, batch: 4, zdim: 8, d: { ch: 4 }, g: { ch: 4 } });
    const a = new Trainer(config, images(28, 1, 3));
    const state = await a.getState();
    state.vars['D/embed/bias'] = new Float32Array(32).fill(0.5);
    const b = new Trainer(config, images(28, 1, 3));
    const notes = b.setState(state);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/D\/embed\/bias ignored/);
    expect(b.setState(await a.getState())).toEqual([]);
    a.dispose();
    b.dispose();
  });
});

describe('initialisation (sngan_projection)', () => {
  const std = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  it('ResNet residual convs are Glorot-uniform with gain √2, shortcuts gain 1; the standard CNN plain Glorot', () => {
    const spec = modelSpec(parseConfig({ arch: 'resnet32', zdim: 8, d: { ch: 16 }, g: { ch: 16 } }), [32, 32, 3], 0);
    const { G, D } = buildModels(spec, new Rng(1));
    // Glorot-uniform std = gain · √(6 / (fan_in + fan_out)) / √3
    const glorot = (fanIn: number, fanOut: number, gain: number) => (gain * Math.sqrt(6 / (fanIn + fanOut))) / Math.sqrt(3);
    const check = (p: typeof G.params, name: string, fan: [number, number], gain: number) =>
      expect(std(p.vars.get(name)!.dataSync() as Float32Array) / glorot(fan[0], fan[1], gain)).toBeCloseTo(1, 1);
    check(G.params, 'G/block1/conv1/kernel', [9 * 16, 9 * 16], Math.SQRT2);
    check(G.params, 'G/block1/shortcut/kernel', [16, 16], 1);
    check(D.params, 'D/block2/conv2/kernel', [9 * 16, 9 * 16], Math.SQRT2);
    check(D.params, 'D/block2/shortcut/kernel', [16, 16], 1);
    G.params.dispose();
    D.params.dispose();
  });
  it('standard CNN G: the first BN is per channel over the r0×r0 map (chosen on purpose, see cnn.ts)', () => {
    const spec = modelSpec(parseConfig({ arch: 'cnn32', zdim: 8, d: { ch: 4 }, g: { ch: 4 } }), [32, 32, 3], 0);
    const { G, D } = buildModels(spec, new Rng(1));
    expect(G.params.vars.get('G/bn0/gamma')!.shape).toEqual([4 * 8]);
    G.params.dispose();
    D.params.dispose();
  });
});
