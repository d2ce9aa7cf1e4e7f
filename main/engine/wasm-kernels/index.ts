/**
 * Kernels the tfjs wasm backend (4.22) lacks, or has only as slow reference loops, that
 * conv-GAN training needs. Checked by diffing tf.getKernelsForBackend('wasm') against 'cpu':
 * only Conv2DBackpropFilter (gradient of conv2d / conv2dTranspose w.r.t. the filter) is missing.
 * Conv2DBackpropInput exists but is a naive loop; it is replaced by an XNNPACK-conv formulation.
 * BatchMatMul with a transposed operand is ~15–50× slower than without; it transposes first.
 * Sum and Mean of NHWC tensors over N, H, W transpose on one thread; they become a threaded average pool.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter';
import { makeConv2DBackpropInputWasm } from './conv2d-backprop-input';
import { makeBatchMatMulWasm } from './batch-mat-mul';
import { makeSpatialReduceWasm } from './spatial-reduce';

let replacedInput = false;
let replacedMatMul = false;
let replacedReduce = false;
const active: string[] = [];

/** Registers the missing kernels and the faster Conv2DBackpropInput (idempotent).
 *  Returns every custom wasm kernel in effect. */
export function registerMissingWasmKernels(opts: { fastBackpropInput?: boolean } = {}): string[] {
  const changed = active;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm as tf.KernelFunc });
    changed.push('Conv2DBackpropFilter (added)');
  }
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if ((opts.fastBackpropInput ?? true) && !replacedInput && original) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      kernelName: 'Conv2DBackpropInput', backendName: 'wasm',
      kernelFunc: makeConv2DBackpropInputWasm(original.kernelFunc) as tf.KernelFunc,
      setupFunc: original.setupFunc,
    });
    replacedInput = true;
    changed.push('Conv2DBackpropInput (XNNPACK conv instead of the reference loop)');
  }
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!replacedMatMul && matMul) {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: makeBatchMatMulWasm(matMul.kernelFunc) as tf.KernelFunc, setupFunc: matMul.setupFunc });
    replacedMatMul = true;
    changed.push('BatchMatMul (transposed operands made physical: XNNPACK path)');
  }
  const sum = tf.getKernel('Sum', 'wasm'), mean = tf.getKernel('Mean', 'wasm');
  if (!replacedReduce && sum && mean) {
    for (const [k, kind] of [[sum, 'sum'], [mean, 'mean']] as const) {
      tf.unregisterKernel(k.kernelName, 'wasm');
      tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc: makeSpatialReduceWasm(k.kernelFunc, kind) as tf.KernelFunc, setupFunc: k.setupFunc });
    }
    replacedReduce = true;
    changed.push('Sum, Mean (NHWC over N, H, W: a threaded average pool)');
  }
  return [...active];
}

export const ADDED_WASM_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'Sum', 'Mean'];
