import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { initBackend, backendInfo } from './backend';

const req = createRequire(import.meta.url);
const installed = (p: string) => { try { req.resolve(p); return true; } catch { return false; } };

describe('initBackend', () => {
  it('picks the best available backend, never cpu while wasm works, and explains the skips', async () => {
    expect(backendInfo()).toBeNull();
    const r = await initBackend();
    expect(tf.getBackend()).toBe(r.name === 'tensorflow-gpu' ? 'tensorflow' : r.name);
    expect(r.tried.at(-1)).toEqual({ name: r.name });
    if (!installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node')) {
      expect(r.name).not.toBe('cpu');
      expect(r.tried[0]).toEqual({ name: 'tensorflow-gpu', error: '@tensorflow/tfjs-node-gpu not installed' });
      expect(r.tried[1]).toEqual({ name: 'tensorflow', error: '@tensorflow/tfjs-node not installed' });
      expect(r.reason).toContain('tfjs-node not installed');
    }
    if (r.name === 'wasm') {
      expect(r.reason).toMatch(/simd|plain/);
      // every core by default: the threaded build where there is more than one, kept after its self-test
      if (os.cpus().length > 1) expect(r.reason).toMatch(new RegExp(`threaded-simd build, ${Math.min(8, os.cpus().length)} threads \\(self-test: conv2d/matMul match`));
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeTruthy();
    }
    expect(backendInfo()).toEqual(r);
  });

  it('honours force, and throws when the forced backend is unavailable', async () => {
    const c = await initBackend({ force: 'cpu' });
    expect(c).toMatchObject({ name: 'cpu', tried: [{ name: 'cpu' }] });
    expect(tf.getBackend()).toBe('cpu');
    if (!installed('@tensorflow/tfjs-node')) {
      await expect(initBackend({ force: 'tensorflow' })).rejects.toThrow(/tfjs-node not installed/);
      expect(backendInfo()?.name).toBe('cpu');
    }
    const w = await initBackend({ force: 'wasm', wasmThreads: 1 });
    expect(w.name).toBe('wasm');
    expect(w.reason).toContain('already initialised in this process');
    // wasm computes a conv gradient w.r.t. the filter (the kernel it lacked)
    const g = tf.tidy(() => tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, f as tf.Tensor4D, 2, 'same')))(tf.ones([2, 2, 1, 1])).dataSync());
    expect(Array.from(g)).toEqual([4, 4, 4, 4]);
  });
});
