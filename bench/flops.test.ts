import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../main/engine/backend';
import { flopsOf, kernelFlops } from './flops';

beforeAll(async () => {
  await initBackend({ force: 'wasm', wasmThreads: 1 });
});

describe('FLOP counting', () => {
  it('counts a matrix product, transposed or batched, as 2·m·n·k', async () => {
    expect(await flopsOf(() => tf.matMul(tf.ones([3, 4]), tf.ones([4, 5])))).toBe(2 * 3 * 4 * 5);
    expect(await flopsOf(() => tf.matMul(tf.ones([3, 4]), tf.ones([5, 4]), false, true))).toBe(2 * 3 * 4 * 5);
    expect(await flopsOf(() => tf.matMul(tf.ones([7, 3, 4]), tf.ones([7, 4, 5])))).toBe(2 * 7 * 3 * 4 * 5);
    expect(await flopsOf(() => tf.add(tf.ones([100]), tf.ones([100])))).toBe(0);
  });

  it('counts a conv and both its gradients as 2·(output positions)·kh·kw·cin·cout each', async () => {
    const x = tf.ones([2, 8, 8, 3]);
    const f = tf.ones([3, 3, 3, 4]);
    const forward = 2 * (2 * 4 * 4) * (3 * 3 * 3 * 4); // stride 2, 'same': 4×4 outputs
    expect(await flopsOf(() => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'))).toBe(forward);
    const both = await flopsOf(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, f]));
    expect(both).toBe(3 * forward); // forward + input gradient + filter gradient
    // a transposed conv (G's up-sampling) is an input gradient of a conv with the same multiply-adds
    expect(kernelFlops('Conv2DBackpropInput', [[2, 4, 4, 4], [3, 3, 3, 4]], [[2, 8, 8, 3]])).toBe(forward);
    tf.dispose([x, f]);
  });
});
