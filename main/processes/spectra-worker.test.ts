// The spectra worker thread as the trainer process starts it (processes/entries.ts finds the script).
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { spectraOf, type HostKernel } from '../engine/trainer/spectra';
import { SpectraRunner } from '../engine/trainer/spectra-runner';
import { Rng } from '../engine/trainer/rng';
import { spectraWorkerEntry } from './entries';

const rand = (n: number, seed: number) => new Rng(seed).normal(n, 1);

function kernel(name: string, kind: HostKernel['kind'], shape: number[], seed: number): HostKernel {
  return { name, kind, shape, data: rand(shape.reduce((a, b) => a * b, 1), seed) };
}

describe('SpectraRunner', () => {
  const runner = new SpectraRunner({ worker: spectraWorkerEntry() });
  afterAll(() => runner.dispose());

  it('the worker thread starts from source and its spectra equal the inline ones', async () => {
    expect(runner.mode).toBe('worker');
    const ks = [kernel('D/a', 'conv2d', [3, 3, 4, 8], 11), kernel('G/b', 'conv2dTranspose', [4, 4, 6, 10], 12), kernel('D/c', 'dense', [30, 1], 13)];
    const inline = spectraOf(ks.map((k) => ({ ...k, data: k.data.slice() })));
    const src = ks.map((k) => ({ name: k.name, kind: k.kind, tensor: tf.tensor(k.data, k.shape) }));
    const r = await runner.run(src);
    tf.dispose(src.map((s) => s.tensor));
    expect(r.spectra).toEqual(inline);
    expect(r.spectra[2].count).toBe(1);
  });
});

describe('SpectraRunner fallback', () => {
  it('inline mode gives the same result; a worker that dies hands later work to inline', async () => {
    const ks = [kernel('D/a', 'dense', [6, 5], 21)];
    const inline = new SpectraRunner();
    expect(inline.mode).toBe('inline');
    expect((await inline.compute(ks.map((k) => ({ ...k, data: k.data.slice() })))).spectra).toEqual(spectraOf(ks));
    const r = new SpectraRunner({ worker: spectraWorkerEntry() });
    expect(r.mode).toBe('worker');
    await (r as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await new Promise((res) => setTimeout(res, 50));
    expect(r.mode).toBe('inline');
    expect((await r.compute(ks.map((k) => ({ ...k, data: k.data.slice() })))).spectra).toEqual(spectraOf(ks));
    await r.dispose();
  });
});
