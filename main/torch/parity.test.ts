/**
 * Parity of the PyTorch models with the app's tfjs models, per architecture and stabiliser: the same weights
 * and u (written by the app as an SNGCKPT1 checkpoint, read by python/sngan/ckpt.py) give the same G output
 * (batch and running statistics), the same σ and new u after one power iteration, and the same D logits.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type TrainConfigInput } from '../../shared/config';
import { initBackend } from '../engine/backend';
import { buildModels, modelSpec, type ModelSpec } from '../engine/models/index';
import { encodeCheckpoint } from '../engine/trainer/checkpoint';
import { Rng } from '../engine/trainer/rng';
import type { TrainerState } from '../engine/trainer/state';
import { runPython, torchMissing } from './python.test-util';

interface Case { label: string; config: TrainConfigInput; shape: number[]; classes: number }
const cases: Case[] = [
  { label: 'mlp', config: { arch: 'mlp' }, shape: [2], classes: 0 },
  { label: 'mlp conditional', config: { arch: 'mlp', conditional: true }, shape: [2], classes: 3 },
  { label: 'dcgan28', config: { arch: 'dcgan28' }, shape: [28, 28, 1], classes: 0 },
  { label: 'cnn32', config: { arch: 'cnn32' }, shape: [32, 32, 3], classes: 0 },
  { label: 'cnn64', config: { arch: 'cnn64' }, shape: [64, 64, 3], classes: 0 },
  { label: 'resnet32', config: { arch: 'resnet32' }, shape: [32, 32, 3], classes: 0 },
  { label: 'dcgan28 conditional', config: { arch: 'dcgan28', conditional: true }, shape: [28, 28, 1], classes: 3 },
  { label: 'resnet32 conditional', config: { arch: 'resnet32', conditional: true }, shape: [32, 32, 3], classes: 4 },
  { label: 'cnn32 d.norm=bn', config: { arch: 'cnn32', d: { norm: 'bn' } }, shape: [32, 32, 3], classes: 0 },
  { label: 'cnn32 d.norm=ln', config: { arch: 'cnn32', d: { norm: 'ln' } }, shape: [32, 32, 3], classes: 0 },
  { label: 'resnet32 d.norm=ln', config: { arch: 'resnet32', d: { norm: 'ln' } }, shape: [32, 32, 3], classes: 0 },
  { label: 'mlp d.norm=sn+gp, 3 iterations', config: { arch: 'mlp', d: { norm: 'sn+gp' }, sn: { iters: 3 } }, shape: [2], classes: 0 },
];

const N = 5;
interface Prepared { spec: ModelSpec; input: Record<string, unknown>; gBatch: Float32Array; gEval: Float32Array; sigma: Record<string, number>; u: Record<string, Float32Array>; d: Float32Array }
interface PyOut { gBatch: number[]; gEval: number[]; sigma: Record<string, number>; u: Record<string, number[]>; d: number[] }

/** Build the app's pair, move every weight and statistic off its initial value, write it, record the app's answers. */
function prepare(c: Case, dir: string, i: number): Prepared {
  const config = parseConfig({ ...c.config, zdim: 8, batch: 4, d: { ch: 4, ...c.config.d }, g: { ch: 4 }, sn: { warmup: 3, ...c.config.sn } });
  const spec = modelSpec(config, c.shape, c.classes);
  const { G, D } = buildModels(spec, new Rng(10 + i));
  const rng = new Rng(100 + i);
  const onehot = (n: number) => (c.classes ? tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, (_, j) => j % c.classes), 'int32'), c.classes).toFloat() : undefined);
  // nonzero biases, gammas off 1: every tensor's layout is exercised
  for (const v of [...G.params.vars.values(), ...D.params.vars.values()]) tf.tidy(() => v.assign(tf.add(v, tf.tensor(rng.normal(v.size, 0.05), v.shape))));
  const zWarm = tf.tensor(rng.normal(6 * spec.zdim), [6, spec.zdim]);
  const ohWarm = onehot(6);
  tf.tidy(() => G.apply(zWarm, ohWarm)); // training-mode forward: running statistics move off 0 and 1
  const vars: Record<string, Float32Array> = {};
  for (const [k, v] of [...G.params.vars, ...D.params.vars, ...G.params.stats]) vars[k] = Float32Array.from(v.dataSync());
  const sn: TrainerState['sn'] = {};
  for (const k of D.params.kernels) if (k.sn) sn[k.name] = k.sn.getState();
  const state: TrainerState = { step: 1, rng: [1, 2, 3, 4], vars, sn, adamG: { t: 0, m: {}, v: {} }, adamD: { t: 0, m: {}, v: {} } };
  const checkpoint = path.join(dir, `case-${i}.ckpt`);
  writeFileSync(checkpoint, encodeCheckpoint(state, { arch: spec.arch }));

  const z = tf.tensor(rng.normal(N * spec.zdim), [N, spec.zdim]);
  const x = tf.tensor(rng.uniform(N * c.shape.reduce((a, b) => a * b, 1), -1, 1), [N, ...c.shape]);
  const oh = onehot(N);
  G.params.bnMode = 'batch';
  const gBatch = tf.tidy(() => G.apply(z, oh)).dataSync() as Float32Array;
  G.params.bnMode = 'eval';
  const gEval = tf.tidy(() => G.apply(z, oh)).dataSync() as Float32Array;
  D.params.powerIterate();
  const sigma: Record<string, number> = {};
  const u: Record<string, Float32Array> = {};
  for (const k of D.params.kernels) {
    if (!k.sn) continue;
    sigma[k.name] = k.sn.sigmaEstimate();
    u[k.name] = k.sn.getState().u;
  }
  const d = tf.tidy(() => D.apply(x, oh)).dataSync() as Float32Array;
  const input = { config, shape: c.shape, classes: c.classes, checkpoint, n: N, z: Array.from(z.dataSync()), x: Array.from(x.dataSync()), onehot: oh ? Array.from(oh.dataSync()) : null };
  tf.dispose([zWarm, ohWarm ?? [], z, x, oh ?? []]);
  G.params.dispose();
  D.params.dispose();
  return { spec, input, gBatch, gEval, sigma, u, d };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const scale = (a: ArrayLike<number>) => Math.max(1, ...Array.from(a, Math.abs));

const missing = torchMissing();
describe.skipIf(missing !== null)('PyTorch package ↔ app models: same weights and u, same numbers', () => {
  let dir = '';
  let prepared: Prepared[] = [];
  let outs: PyOut[] = [];
  const report: string[] = [];

  beforeAll(async () => {
    // tfjs's reference kernels: the fastest backend's reductions add float32 noise that batch norm on 5 samples amplifies
    await initBackend({ force: 'cpu' });
    dir = mkdtempSync(path.join(tmpdir(), 'sngan-parity-'));
    prepared = cases.map((c, i) => prepare(c, dir, i));
    writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(prepared.map((p) => p.input)));
    const r = await runPython([path.join(__dirname, 'parity', 'parity.py'), path.join(dir, 'cases.json'), path.join(dir, 'out.json')]);
    if (r.code !== 0) throw new Error(`parity.py failed (${r.code}): ${r.stderr}`);
    outs = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as PyOut[];
  }, 180_000);

  afterAll(() => {
    if (report.length) console.log(`parity max |Δ| (G batch-stats / G running-stats / D logits / σ / u):\n${report.join('\n')}`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  cases.forEach((c, i) => {
    it(`${c.label}: G (both BN modes), D logits, σ and u within 1e-5`, () => {
      const p = prepared[i];
      const o = outs[i];
      const g1 = maxAbs(o.gBatch, p.gBatch);
      const g2 = maxAbs(o.gEval, p.gEval);
      const d = maxAbs(o.d, p.d) / scale(p.d);
      const names = Object.keys(p.sigma);
      expect(Object.keys(o.sigma).sort()).toEqual(names.sort());
      const s = Math.max(0, ...names.map((n) => Math.abs(o.sigma[n] - p.sigma[n]) / Math.max(1, p.sigma[n])));
      const u = Math.max(0, ...names.map((n) => maxAbs(o.u[n], p.u[n])));
      report.push(`  ${c.label.padEnd(32)} ${[g1, g2, d, s, u].map((v) => v.toExponential(1)).join(' / ')}`);
      expect(g1).toBeLessThanOrEqual(1e-5);
      expect(g2).toBeLessThanOrEqual(1e-5);
      expect(d).toBeLessThanOrEqual(1e-5);
      expect(s).toBeLessThanOrEqual(1e-5);
      expect(u).toBeLessThanOrEqual(1e-5);
      if (p.spec.dNorm.startsWith('sn')) expect(names.length).toBeGreaterThan(3);
    });
  });
});
