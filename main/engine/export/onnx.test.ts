import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildGraph, calibrate, runGraph } from './graph';
import { toOnnx, ONNX_OPSET } from './onnx';
import { decodeModel } from './onnx-proto';
import { latents, maxAbsDiff, tinyGenerator, type TinyCase } from './models.test-util';

beforeAll(async () => {
  await initBackend();
});

const cases: TinyCase[] = [
  { arch: 'mlp', classes: 0 },
  { arch: 'mlp', classes: 3 },
  { arch: 'dcgan28', classes: 0 },
  { arch: 'dcgan28', classes: 4 },
  { arch: 'cnn32', classes: 0 },
  { arch: 'cnn64', classes: 2 },
  { arch: 'resnet32', classes: 2 },
];

/** NCHW → NHWC on host floats. */
function toNhwc(d: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const o = new Float32Array(d.length);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) o[((b * h + y) * w + x) * c + k] = d[((b * c + k) * h + y) * w + x];
  return o;
}

async function runOnnx(bytes: Uint8Array, z: tf.Tensor, onehot?: tf.Tensor): Promise<ort.Tensor> {
  const sess = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = { z: new ort.Tensor('float32', z.dataSync() as Float32Array, z.shape) };
  if (onehot) feeds.class = new ort.Tensor('float32', onehot.dataSync() as Float32Array, onehot.shape);
  const out = await sess.run(feeds);
  await sess.release();
  return out[sess.outputNames[0]];
}

describe('ONNX export', () => {
  for (const c of cases) {
    it(`${c.arch}${c.classes ? ' conditional' : ''}: onnxruntime-node output equals the app generator`, async () => {
      const G = tinyGenerator(c);
      const { z, onehot } = latents(G, 16, 5);
      const g = buildGraph(c.arch, G);
      const ref = tf.tidy(() => G.apply(z, onehot));
      calibrate(g, z, onehot).dispose();
      const bytes = toOnnx(g);
      const m = decodeModel(bytes) as { opset_import: { version: number }[] };
      expect(m.opset_import[0].version).toBeGreaterThanOrEqual(13);
      expect(ONNX_OPSET).toBe(13);
      const out = await runOnnx(bytes, z, onehot);
      const image = c.arch !== 'mlp';
      if (image) expect(out.dims).toEqual([16, G.outShape[2], G.outShape[0], G.outShape[1]]);
      const got = image ? toNhwc(out.data as Float32Array, out.dims as number[]) : (out.data as Float32Array);
      const d = maxAbsDiff(got, ref);
      expect(d).toBeLessThanOrEqual(1e-4);
      // Dynamic batch: 3 latents through the same session shape-free.
      const few = latents(G, 3, 9);
      const o3 = await runOnnx(bytes, few.z, few.onehot);
      expect(o3.dims[0]).toBe(3);
      const b = runGraph(g, few.z, few.onehot);
      expect(maxAbsDiff(image ? toNhwc(o3.data as Float32Array, o3.dims as number[]) : (o3.data as Float32Array), b)).toBeLessThanOrEqual(1e-4);
      console.log(`onnx ${c.arch}${c.classes ? '+cond' : ''}: max |Δ| = ${d.toExponential(2)}`);
      tf.dispose([ref, b, z, onehot ?? [], few.z, few.onehot ?? []]);
      G.params.dispose();
    });
  }
});
