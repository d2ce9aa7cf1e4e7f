/**
 * Kernels the tfjs wasm backend (4.22) lacks but conv-GAN training needs.
 * Checked by diffing tf.getKernelsForBackend('wasm') against 'cpu': of the kernels
 * training needs, only Conv2DBackpropFilter (gradient of conv2d w.r.t. its filter,
 * and of conv2dTranspose w.r.t. its filter) is missing; Conv2DBackpropInput exists.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter';

const KERNELS: tf.KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm as tf.KernelFunc },
];

/** Registers the missing kernels (idempotent). Returns the names newly registered. */
export function registerMissingWasmKernels(): string[] {
  const added: string[] = [];
  for (const k of KERNELS) {
    if (tf.getKernel(k.kernelName, 'wasm')) continue;
    tf.registerKernel(k);
    added.push(k.kernelName);
  }
  return added;
}

export const ADDED_WASM_KERNELS = KERNELS.map((k) => k.kernelName);
