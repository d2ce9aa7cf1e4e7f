// The threaded build's fallback: a self-test that fails (forced here) leaves training on the single-threaded
// build, and the backend text says why. Its own test file, so its own process and its own wasm module.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';
import { TOYS_2D, sampleMixture } from '../../../shared/toys2d';
import { initBackend } from '../backend';
import { dataSource } from '../trainer/data';
import { Trainer } from '../trainer/trainer';

describe('threaded wasm fallback', () => {
  it('a failed self-test falls back to the single-threaded build, says why, and training proceeds', async () => {
    const r = await initBackend({ force: 'wasm', wasmThreads: 2, wasmSelfTest: async () => ({ ok: false, reason: 'forced failure for the test' }) });
    expect(r.name).toBe('wasm');
    expect(r.reason).toMatch(/single-threaded \(threaded build failed its self-test: forced failure for the test\)/);
    expect(getThreadsCount()).toBe(1);
    const ring = TOYS_2D.ring8;
    const tr = new Trainer(parseConfig({ batch: 16, zdim: 4, d: { ch: 8 }, g: { ch: 8 } }), dataSource({ kind: 'points', id: 'ring8', modes: ring.modes, std: ring.std, classes: [], sample: (n, rng) => sampleMixture(ring.modes, ring.std, n, rng) }));
    for (let i = 0; i < 3; i++) tr.trainStep();
    expect(tr.step).toBe(3);
    tr.dispose();
    expect(tf.getBackend()).toBe('wasm');
  });
});
