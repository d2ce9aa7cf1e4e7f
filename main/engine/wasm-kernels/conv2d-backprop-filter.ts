/**
 * Conv2DBackpropFilter for the wasm backend, which ships without it (tfjs 4.22).
 *
 * dW[i, j, ci, co] = Σ_{n,p,q} x[n, p·s + i − padTop, q·s + j − padLeft, ci] · dy[n, p, q, co]
 *
 * That sum is itself a forward convolution, computed with the wasm backend's own
 * (XNNPACK) Conv2D kernel:
 *   input  = xᵀ   : x transposed to [Cin, H, W, N]   (batch = Cin, channels = N)
 *   filter = dyᵀ  : dy transposed to [Ho, Wo, N, Cout]
 *   stride 1, dilation = forward stride, explicit padding = forward padding,
 * giving [Cin, ≥kh, ≥kw, Cout]; slice to [Cin, kh, kw, Cout], transpose to [kh, kw, Cin, Cout].
 */
import * as tf from '@tensorflow/tfjs';
import { runWasm as run, type Args, type Backend, type Info } from './support';

export function conv2DBackpropFilterWasm(args: Args): Info {
  const { inputs, attrs } = args;
  const backend = args.backend as Backend;
  const x = inputs.x as Info;
  const dy = inputs.dy as Info;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports only NHWC');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('wasm Conv2DBackpropFilter supports only float32');

  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [kh, kw, cin, cout] = filterShape;
  const { top, bottom, left, right } = info.padInfo;
  if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2]) {
    throw new Error(`Conv2DBackpropFilter: dy shape ${dy.shape} does not match output ${info.outHeight}x${info.outWidth}`);
  }

  const temps: Info[] = [];
  const keep = (t: Info) => (temps.push(t), t);
  try {
    const xT = keep(run('Transpose', { x }, backend, { perm: [3, 1, 2, 0] }));
    const dyT = keep(run('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] }));
    const full = keep(run('Conv2D', { x: xT, filter: dyT }, backend, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
      dimRoundingMode: undefined,
    }));
    let cropped = full;
    if (full.shape[1] !== kh || full.shape[2] !== kw) {
      if (full.shape[1] < kh || full.shape[2] < kw) {
        throw new Error(`Conv2DBackpropFilter: internal conv gave ${full.shape}, need ${kh}x${kw}`);
      }
      cropped = keep(run('Slice', { x: full }, backend, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] }));
    }
    return run('Transpose', { x: cropped }, backend, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
