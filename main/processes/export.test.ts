import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend';
import { Rng } from '../engine/trainer/rng';
import { SAMPLE_POINTS, type Trainer } from '../engine/trainer/trainer';
import { ExportError, exportRun, loadRun } from './export';
import { seededLatents } from '../engine/export/images';
import { maxAbsDiff } from '../engine/export/models.test-util';
import { makeRun } from './run-fixture.test-util';

let ws: string;
let points: { dir: string; trainer: Trainer };
let images: { dir: string; trainer: Trainer };

beforeAll(async () => {
  await initBackend();
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'sngan-export-'));
  points = await makeRun(ws, 'points', { ema: { enabled: true, decay: 0.5 } });
  images = await makeRun(ws, 'images', { arch: 'dcgan28', conditional: true });
}, 60_000);

afterAll(async () => {
  points.trainer.dispose();
  images.trainer.dispose();
  await fs.rm(ws, { recursive: true, force: true });
});

async function loadExportedTfjs(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const weights = await fs.readFile(path.join(dir, modelJson.weightsManifest[0].paths[0]));
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
  );
}

const leftovers = async () => (await fs.readdir(ws)).filter((n) => n.includes('.tmp-'));

describe('export from a run folder', () => {
  it('tfjs (MLP, EMA weights): the files on disk load with stock tfjs and reproduce the app sample', async () => {
    const out = path.join(ws, 'out-tfjs');
    const r = await exportRun({ run: points.dir, format: 'tfjs', out });
    expect(r.files.sort()).toEqual(['manifest.json', 'model.json', 'weights.bin']);
    const model = await loadExportedTfjs(out);
    // The trainer's own sample: fixed latents, EMA weights. The MLP generator has no batch norm, so it must match exactly.
    const app = await points.trainer.sample();
    const z = tf.tensor(Rng.derive(5, 2).normal(SAMPLE_POINTS * 8), [SAMPLE_POINTS, 8]);
    const got = model.predict(z) as tf.Tensor;
    const d = maxAbsDiff(got, app.data);
    expect(d).toBeLessThan(1e-5);
    const m = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8'));
    expect(m.generator.latent).toEqual({ size: 8, distribution: 'normal', mean: 0, std: 1 });
    expect(m.run.step).toBe(2);
    expect(m.run.emaWeights).toBe(true);
    expect(m.config.seed).toBe(5);
    expect(m.snippets.js).toContain('loadLayersModel');
    expect(m.snippets.python).toContain('onnxruntime');
    console.log(`tfjs export vs trainer.sample(): max |Δ| = ${d.toExponential(2)}`);
    tf.dispose([z, got]);
    model.dispose();
  });

  it('onnx (MLP): onnxruntime-node reproduces the app sample', async () => {
    const out = path.join(ws, 'out-onnx');
    await exportRun({ run: points.dir, format: 'onnx', out });
    const sess = await ort.InferenceSession.create(path.join(out, 'generator.onnx'));
    const z = Rng.derive(5, 2).normal(SAMPLE_POINTS * 8);
    const res = await sess.run({ z: new ort.Tensor('float32', z, [SAMPLE_POINTS, 8]) });
    const app = await points.trainer.sample();
    const d = maxAbsDiff(res.points.data as Float32Array, app.data);
    expect(d).toBeLessThanOrEqual(1e-4);
    console.log(`onnx export vs trainer.sample(): max |Δ| = ${d.toExponential(2)}`);
    await sess.release();
  });

  it('tfjs + onnx (conditional 28×28 CNN): both equal the app generator (running BN statistics) on seeded and on unseen single latents', async () => {
    const tOut = path.join(ws, 'cnn-tfjs');
    const oOut = path.join(ws, 'cnn-onnx');
    const rt = await exportRun({ run: images.dir, format: 'tfjs', out: tOut, checkpoint: 1, calibration: 64 });
    const ro = await exportRun({ run: images.dir, format: 'onnx', out: oOut, checkpoint: 1, calibration: 64 });
    expect(rt.step).toBe(1);
    const run = await loadRun(images.dir, { checkpoint: 1 });
    const lat = seededLatents(8, 2, 64, 1_000_003);
    const z = tf.tensor(lat.z, [64, 8]);
    const oh = tf.oneHot(tf.tensor1d(lat.labels!, 'int32'), 2).toFloat();
    const ref = run.G.apply(z, oh);
    const model = await loadExportedTfjs(tOut);
    const got = model.predict([z, oh]) as tf.Tensor;
    const dt = maxAbsDiff(got, ref);
    expect(dt).toBeLessThan(1e-5);
    const sess = await ort.InferenceSession.create(path.join(oOut, 'generator.onnx'));
    const res = await sess.run({ z: new ort.Tensor('float32', lat.z, [64, 8]), class: new ort.Tensor('float32', oh.dataSync() as Float32Array, [64, 2]) });
    expect(res.image.dims).toEqual([64, 1, 28, 28]);
    const nchw = tf.transpose(tf.tensor(res.image.data as Float32Array, [64, 1, 28, 28]), [0, 2, 3, 1]);
    const dO = maxAbsDiff(nchw, ref);
    expect(dO).toBeLessThanOrEqual(1e-4);
    const m = JSON.parse(await fs.readFile(path.join(oOut, 'manifest.json'), 'utf8'));
    expect(m.generator.classes).toEqual(['0', '1']);
    expect(m.generator.output.shape).toEqual(['N', 1, 28, 28]);
    // Batch norm uses the running statistics from training, so any latent — here one at a time,
    // unseen at export — maps to the same image in the app and in the export.
    expect(run.runningStats).toBe(true);
    expect(m.generator.batchNorm).toMatch(/running statistics/);
    let dOne = 0;
    for (const seed of [7, 8, 9]) {
      const one = seededLatents(8, 2, 1, seed);
      const z1 = tf.tensor(one.z, [1, 8]);
      const oh1 = tf.oneHot(tf.tensor1d(one.labels!, 'int32'), 2).toFloat();
      const a = run.G.apply(z1, oh1), b = model.predict([z1, oh1]) as tf.Tensor;
      dOne = Math.max(dOne, maxAbsDiff(b, a));
      tf.dispose([z1, oh1, a, b]);
    }
    expect(dOne).toBeLessThan(1e-5);
    console.log(`cnn28+cond: tfjs ${dt.toExponential(2)} (export-time ${rt.maxAbsDiff?.toExponential(2)}), single unseen latents ${dOne.toExponential(2)}, onnx ${dO.toExponential(2)} (export-time ${ro.maxAbsDiff?.toExponential(2)})`);
    await sess.release();
    tf.dispose([z, oh, ref, got, nchw]);
    model.dispose();
    run.dispose();
  });

  it('png grid and individual PNGs from a seed; gif timelapse; html sampler', async () => {
    const g = await exportRun({ run: images.dir, format: 'png', out: path.join(ws, 'png'), n: 9, seed: 4 });
    expect(g.files).toContain('grid.png');
    const again = await exportRun({ run: images.dir, format: 'png', out: path.join(ws, 'png2'), n: 9, seed: 4 });
    expect(Buffer.compare(await fs.readFile(path.join(g.out, 'grid.png')), await fs.readFile(path.join(again.out, 'grid.png')))).toBe(0);
    const ind = await exportRun({ run: images.dir, format: 'png', out: path.join(ws, 'ind'), n: 3, seed: 4, individual: true });
    expect(ind.files.filter((f) => f.endsWith('.png')).sort()).toEqual(['sample-0.png', 'sample-1.png', 'sample-2.png']);
    const gif = await exportRun({ run: images.dir, format: 'gif', out: path.join(ws, 'gif') });
    const bytes = await fs.readFile(path.join(gif.out, 'timelapse.gif'));
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    const html = await exportRun({ run: points.dir, format: 'html', out: path.join(ws, 'html') });
    expect(html.files).toEqual(expect.arrayContaining(['index.html', 'tf.min.js', 'model.js', 'model.json', 'weights.bin', 'manifest.json']));
    const page = await fs.readFile(path.join(html.out, 'index.html'), 'utf8');
    expect(page).toContain('src="tf.min.js"');
    expect(page).toContain('New seed');
  });

  it('a damaged run folder fails naming the file and writes nothing', async () => {
    const bad = path.join(ws, 'runs', 'damaged');
    await fs.cp(images.dir, bad, { recursive: true });
    const ck = path.join(bad, 'checkpoints', 'step-2.ckpt');
    const full = await fs.readFile(ck);
    const expectFail = async (file: string, out: string, checkpoint?: number) => {
      const err = await exportRun({ run: bad, format: 'tfjs', out, checkpoint }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExportError);
      expect((err as ExportError).file).toBe(file);
      expect((err as Error).message).toContain(file);
      await expect(fs.stat(out)).rejects.toThrow();
      expect(await leftovers()).toEqual([]);
      return (err as Error).message;
    };
    // Truncated checkpoint.
    await fs.writeFile(ck, full.subarray(0, full.length - 100));
    expect(await expectFail(ck, path.join(ws, 'bad1'))).toMatch(/truncated/);
    // Missing weights: a checkpoint without the generator's dense kernel.
    const { decodeCheckpoint, encodeCheckpoint } = await import('../engine/trainer/checkpoint');
    const { state } = decodeCheckpoint(new Uint8Array(full));
    delete state.vars['G/fc/kernel'];
    if (state.ema) delete state.ema['G/fc/kernel'];
    await fs.writeFile(ck, encodeCheckpoint(state, { arch: 'dcgan28' }));
    expect(await expectFail(ck, path.join(ws, 'bad2'))).toMatch(/G\/fc\/kernel/);
    // A checkpoint that does not exist.
    expect(await expectFail(path.join(bad, 'checkpoints', 'step-7.ckpt'), path.join(ws, 'bad3'), 7)).toMatch(/missing \(saved steps: 1, 2\)/);
    // Missing config.json.
    await fs.rm(path.join(bad, 'config.json'));
    await expectFail(path.join(bad, 'config.json'), path.join(ws, 'bad4'));
    // Unreadable snapshot for the timelapse.
    await fs.writeFile(path.join(bad, 'samples', 'step-2.png'), 'not a png');
    const err = await exportRun({ run: bad, format: 'gif', out: path.join(ws, 'bad5') }).catch((e: unknown) => e);
    expect((err as ExportError).file).toBe(path.join(bad, 'samples', 'step-2.png'));
    await expect(fs.stat(path.join(ws, 'bad5'))).rejects.toThrow();
  });

  it('refuses to overwrite a non-empty --out folder', async () => {
    const out = path.join(ws, 'busy');
    await fs.mkdir(out);
    await fs.writeFile(path.join(out, 'keep.txt'), 'x');
    await expect(exportRun({ run: points.dir, format: 'onnx', out })).rejects.toThrow(/not empty/);
    expect(await fs.readdir(out)).toEqual(['keep.txt']);
  });
});
