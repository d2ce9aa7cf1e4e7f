import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { buildModels, type Generator } from '../models/index';
import { Rng } from '../trainer/rng';
import { matricise } from '../sn/index';
import { foldedWeights } from './graph';
import { RNG_JS } from './html';
import { seededLatents } from './images';
import { tinySpec } from './models.test-util';

beforeAll(async () => {
  await initBackend();
});

describe('folding spectral normalization', () => {
  it('replaces every SN kernel by W/σ with σ = uᵀWv from the stored u, v; other parameters pass through', () => {
    const { G, D } = buildModels(tinySpec({ arch: 'mlp', classes: 0 }), Rng.derive(3, 0));
    for (let i = 0; i < 3; i++) D.params.powerIterate();
    const asGen = { ...G, params: D.params } as Generator;
    const folded = foldedWeights(asGen);
    for (const k of D.params.kernels) {
      expect(k.sn).toBeDefined();
      const { u, v } = k.sn!.getState();
      const W = tf.tidy(() => matricise(D.params.vars.get(k.kernel)!, k.kind).arraySync() as number[][]);
      let sigma = 0;
      for (let r = 0; r < W.length; r++) for (let c = 0; c < W[r].length; c++) sigma += u[r] * W[r][c] * v[c];
      const raw = D.params.vars.get(k.kernel)!.dataSync();
      const f = folded.get(k.kernel)!.data;
      let m = 0;
      for (let i = 0; i < raw.length; i++) m = Math.max(m, Math.abs(f[i] - raw[i] / sigma));
      expect(m).toBeLessThan(1e-5);
    }
    const bias = folded.get('D/fc1/bias')!.data;
    expect(Array.from(bias)).toEqual(Array.from(D.params.vars.get('D/fc1/bias')!.dataSync()));
    G.params.dispose();
    D.params.dispose();
  });
});

describe('HTML sampler latents', () => {
  it("the page's RNG draws the same latents as the PNG export for a seed", () => {
    const page = new Function(`${RNG_JS}; return seededLatents;`)() as (zdim: number, n: number, seed: number) => Float32Array;
    for (const seed of [0, 1, 12345]) expect(Array.from(page(8, 5, seed))).toEqual(Array.from(seededLatents(8, 0, 5, seed).z));
  });
});
