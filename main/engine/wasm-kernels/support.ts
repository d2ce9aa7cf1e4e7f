/** What the custom wasm kernels share: the backend's view they use, and calling another registered wasm kernel. */
import * as tf from '@tensorflow/tfjs';

export type Info = tf.TensorInfo;
/** The parts of tfjs-backend-wasm's BackendWasm these kernels touch. */
export type Backend = tf.KernelBackend & {
  disposeData(id: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(t: Info): Float32Array;
};
export type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** Runs the wasm kernel registered under `name` (the original or one of ours) on tensors of the wasm heap. */
export function runWasm(name: string, inputs: Record<string, Info>, backend: Backend, attrs: Record<string, unknown>): Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs, backend, attrs } as never) as Info;
}
