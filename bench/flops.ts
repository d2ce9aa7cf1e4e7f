/**
 * FLOPs of what a function really runs, counted from tfjs's kernel profile: 2 × multiply-adds of every
 * convolution (forward, input gradient, filter gradient) and matrix product; elementwise work is not counted,
 * as is usual for GFLOP/s figures. Used once per model by the benchmark, to turn times into GFLOP/s.
 */
import * as tf from '@tensorflow/tfjs';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** FLOPs of one profiled kernel (0 for kernels that are not convolutions or matrix products). */
export function kernelFlops(name: string, inputs: number[][], outputs: number[][]): number {
  const out = outputs[0] ?? [];
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      const filter = inputs[1]!;
      return 2 * size(out) * (size(filter) / filter[3]!);
    }
    case 'Conv2DBackpropInput': {
      const [dy, filter] = inputs as [number[], number[]];
      return 2 * size(dy) * (size(filter) / filter[3]!);
    }
    case 'Conv2DBackpropFilter': {
      const dy = inputs[1]!;
      return 2 * size(dy) * (size(out) / out[3]!);
    }
    case 'BatchMatMul':
    case '_FusedMatMul':
    case 'MatMul': {
      // a is [..., m, k] (or [..., k, m]) and out [..., m, n]: batch·m·n·k multiply-adds = size(a)·n
      return 2 * size(inputs[0]!) * out[out.length - 1]!;
    }
    default:
      return 0;
  }
}

/** FLOPs of everything `fn` runs (its tensors are disposed). */
export async function flopsOf(fn: () => tf.TensorContainer | void): Promise<number> {
  const info = await tf.profile(() => {
    const r = fn();
    return r ?? [];
  });
  return info.kernels.reduce((sum, k) => sum + kernelFlops(k.name, k.inputShapes as number[][], k.outputShapes as number[][]), 0);
}
