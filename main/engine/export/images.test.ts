import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildGraph, calibrate } from './graph';
import { sampleGraph, sampleGraphChunks } from './images';
import { latents, tinyGenerator } from './models.test-util';

beforeAll(async () => {
  await initBackend();
});

describe('sampleGraphChunks', () => {
  it('gives sample i exactly what one big batch gives it, for odd n, odd chunk sizes and conditional generators', () => {
    for (const c of [{ arch: 'dcgan28' as const, classes: 0 }, { arch: 'dcgan28' as const, classes: 3 }]) {
      const G = tinyGenerator(c);
      const g = buildGraph('dcgan28', G);
      const cal = latents(G, 16, 3);
      calibrate(g, cal.z, cal.onehot).dispose();
      tf.dispose([cal.z, cal.onehot ?? []]);
      const whole = sampleGraph(g, 37, 5);
      for (const chunk of [8, 7]) {
        const parts = [...sampleGraphChunks(g, 37, 5, chunk)];
        const joined = new Float32Array(whole.data.length);
        let at = 0;
        for (const p of parts) {
          joined.set(p.data, at);
          at += p.data.length;
        }
        expect(at).toBe(whole.data.length);
        let m = 0;
        for (let i = 0; i < at; i++) m = Math.max(m, Math.abs(joined[i] - whole.data[i]));
        expect(m).toBeLessThan(1e-5);
      }
      G.params.dispose();
    }
    expect(tf.memory().numTensors).toBeLessThan(200);
  });
});
