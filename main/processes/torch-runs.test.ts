/**
 * The app and the PyTorch package, both ways: a run trained by the package opens with runs/store, its events fit
 * shared/events and its checkpoint exports to ONNX with the app's exporter; a package made from an app run
 * continues it; and `export --format pytorch` gives a torch.nn.Module that matches the ONNX export.
 */
import * as ort from 'onnxruntime-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainerEvent } from '../../shared/events';
import { initBackend } from '../engine/backend';
import { Rng } from '../engine/trainer/rng';
import { openRun, readMetrics } from '../runs/store';
import { exportRun } from './export';
import { makeRun } from './run-fixture.test-util';
import { makePackage, onlyRun, tinyDataset, train } from '../torch/package.test-util';
import { runPython, torchMissing } from '../torch/python.test-util';

const missing = torchMissing();
let ws = '';
let torchRun = '';

beforeAll(async () => {
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'sngan-torch-runs-'));
  if (missing) return;
  await initBackend();
  await tinyDataset(ws);
  const cfg = { dataset: 'tiny', arch: 'dcgan28', conditional: true, batch: 8, zdim: 8, d: { ch: 4 }, g: { ch: 4 }, steps: 4, ema: { enabled: true, decay: 0.9 }, logEvery: 1, sampleEvery: 2, checkpointEvery: 2, sn: { warmup: 2 } } as const;
  const pkg = await makePackage(ws, 'pkg-img', cfg);
  const r = await train(pkg);
  if (r.code !== 0) throw new Error(r.stderr);
  torchRun = await onlyRun(path.join(pkg, 'runs'));
}, 120_000);

afterAll(async () => {
  if (ws) await fs.rm(ws, { recursive: true, force: true });
});

const metricsOf = async (dir: string) => (await readMetrics(dir)).filter((e) => e.type === 'metrics') as { step: number }[];

describe.skipIf(missing !== null)('runs trained by the PyTorch package, in the app', () => {
  it('open with runs/store (every event valid for shared/events) and export to ONNX with the app exporter', async () => {
    const run = await openRun(torchRun);
    expect(run.status).toMatchObject({ state: 'finished', step: 4, steps: 4, dataset: 'tiny' });
    expect(run.config.arch).toBe('dcgan28');
    const events = await readMetrics(torchRun);
    for (const e of events) expect(TrainerEvent.safeParse(e).success, JSON.stringify(e).slice(0, 200)).toBe(true);
    const m = events.find((e) => e.type === 'metrics') as { layers: { name: string; sigmaBar: number }[] };
    expect(m.layers.map((l) => l.name)).toEqual(['D/conv1', 'D/conv2', 'D/conv3', 'D/conv4', 'D/conv5', 'D/out', 'D/embed']);
    for (const l of m.layers) expect(Math.abs(l.sigmaBar - 1)).toBeLessThan(0.2);
    expect(events.filter((e) => e.type === 'sample').map((e) => e.step)).toEqual([2, 4]);
    expect((await fs.readFile(path.join(torchRun, 'samples', 'step-4.png'))).subarray(1, 4).toString()).toBe('PNG');
    const r = await exportRun({ run: torchRun, format: 'onnx', out: path.join(ws, 'onnx-from-torch') });
    expect(r.step).toBe(4);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  it('a package made from an app run continues it from its checkpoint', async () => {
    const app = await makeRun(ws, 'points', { steps: 4 });
    app.trainer.dispose();
    const bytes = new Uint8Array(await fs.readFile(path.join(app.dir, 'checkpoints', 'step-2.ckpt')));
    const cont = await makePackage(ws, 'pkg-cont', { ...app.config, logEvery: 1 }, { run: app.dir, step: 2, bytes });
    const r = await train(cont);
    expect(r.code, r.stderr).toBe(0);
    const dir = await onlyRun(path.join(cont, 'runs'));
    expect((await metricsOf(dir)).map((e) => e.step)).toEqual([3, 4]);
    expect((await openRun(dir)).status).toMatchObject({ state: 'finished', step: 4 });
  });
});

/** The exported module's output in PyTorch (generator.py, no sngan package), [n, …] as NCHW floats. */
async function torchExportOutput(folder: string, z: Float32Array, n: number, onehot?: Float32Array): Promise<number[]> {
  const io = path.join(folder, '..', `${path.basename(folder)}-io.json`);
  await fs.writeFile(io, JSON.stringify({ z: Array.from(z), onehot: onehot ? Array.from(onehot) : null, n }));
  const script = [
    'import json, sys, torch',
    `sys.path.insert(0, ${JSON.stringify(folder)})`,
    'import generator',
    `d = json.load(open(${JSON.stringify(io)}))`,
    'G = generator.load_generator()',
    'z = torch.tensor(d["z"], dtype=torch.float32).reshape(d["n"], -1)',
    'oh = torch.tensor(d["onehot"], dtype=torch.float32).reshape(d["n"], -1) if d["onehot"] else None',
    'with torch.no_grad(): y = G(z, oh)',
    `json.dump(y.reshape(-1).tolist(), open(${JSON.stringify(io)}, "w"))`,
  ].join('\n');
  const r = await runPython(['-c', script]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(await fs.readFile(io, 'utf8')) as number[];
}

async function onnxOutput(folder: string, z: Float32Array, n: number, zdim: number, onehot?: Float32Array, classes = 0): Promise<Float32Array> {
  const sess = await ort.InferenceSession.create(path.join(folder, 'generator.onnx'));
  const feeds: Record<string, ort.Tensor> = { z: new ort.Tensor('float32', z, [n, zdim]) };
  if (onehot) feeds.class = new ort.Tensor('float32', onehot, [n, classes]);
  const out = await sess.run(feeds);
  await sess.release();
  return Object.values(out)[0]!.data as Float32Array;
}

describe.skipIf(missing !== null)('export --format pytorch', () => {
  const cases = [
    { label: 'dcgan28 conditional (PyTorch-trained, EMA weights)', run: () => torchRun },
    { label: 'mlp (app-trained)', run: async () => (await makeRun(ws, 'points', {}).then((r) => (r.trainer.dispose(), r))).dir },
  ];
  for (const c of cases) {
    it(`${c.label}: load_generator() matches the ONNX export within 1e-4`, async () => {
      const run = await c.run();
      const tag = c.label.split(' ')[0];
      const pt = path.join(ws, `pt-${tag}`);
      const ox = path.join(ws, `onnx-${tag}`);
      const r = await exportRun({ run, format: 'pytorch', out: pt });
      expect(r.files.sort()).toEqual(['generator.py', 'generator.safetensors', 'manifest.json']);
      await exportRun({ run, format: 'onnx', out: ox });
      const m = JSON.parse(await fs.readFile(path.join(pt, 'manifest.json'), 'utf8')) as { generator: { latent: { size: number }; classes: string[] } };
      const zdim = m.generator.latent.size;
      const classes = m.generator.classes.length;
      const n = 6;
      const z = new Rng(42).normal(n * zdim);
      const onehot = classes ? Float32Array.from({ length: n * classes }, (_, i) => (i % classes === Math.floor(i / classes) % classes ? 1 : 0)) : undefined;
      const a = await torchExportOutput(pt, z, n, onehot);
      const b = await onnxOutput(ox, z, n, zdim, onehot, classes);
      expect(a.length).toBe(b.length);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      console.log(`export --format pytorch vs onnx, ${c.label}: max |Δ| = ${d.toExponential(2)}`);
      expect(d).toBeLessThanOrEqual(1e-4);
    });
  }
});
