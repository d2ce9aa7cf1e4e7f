import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildGraph, calibrate, runGraph } from './graph';
import { loadLayersModelFrom, saveLayersModel, toLayersModel } from './tfjs';
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
  { arch: 'resnet32', classes: 0 },
];

describe('tfjs LayersModel export', () => {
  for (const c of cases) {
    it(`${c.arch}${c.classes ? ' conditional' : ''}: stock loadLayersModel output equals the app generator`, async () => {
      const G = tinyGenerator(c);
      const { z, onehot } = latents(G, 16, 5);
      const g = buildGraph(c.arch, G);
      const ref = tf.tidy(() => G.apply(z, onehot));
      const cal = calibrate(g, z, onehot);
      expect(maxAbsDiff(cal, ref)).toBeLessThan(1e-5);
      const model = toLayersModel(g);
      const art = await saveLayersModel(model);
      model.dispose();
      const loaded = await loadLayersModelFrom(JSON.parse(JSON.stringify(art.modelJson)) as Record<string, unknown>, art.weights);
      const inputs = onehot ? [z, onehot] : z;
      const out = loaded.predict(inputs) as tf.Tensor;
      const d = maxAbsDiff(out, ref);
      expect(d).toBeLessThan(1e-5);
      // Frozen statistics: another batch size gives what the graph gives with the same frozen statistics.
      const few = latents(G, 3, 9);
      const a = loaded.predict(few.onehot ? [few.z, few.onehot] : few.z) as tf.Tensor;
      const b = runGraph(g, few.z, few.onehot);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
      console.log(`tfjs ${c.arch}${c.classes ? '+cond' : ''}: max |Δ| = ${d.toExponential(2)}`);
      tf.dispose([ref, cal, out, a, b, z, onehot ?? [], few.z, few.onehot ?? []]);
      loaded.dispose();
      G.params.dispose();
    });
  }
});
