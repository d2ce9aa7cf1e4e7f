/**
 * Faster Conv2DBackpropInput for the wasm backend (the gradient of conv2d w.r.t. its input,
 * and the forward pass of conv2dTranspose). tfjs 4.22's wasm kernel is a naive single loop
 * (~9× slower than the XNNPACK forward conv it mirrors); this runs it as one XNNPACK Conv2D:
 *
 *   dx = conv2d( pad(zero-insert(dy, stride), kh−1−padTop, …),  flip_hw(filter)ᵀ,  stride 1, 'valid')
 *
 * zero-insert puts stride−1 zeros after every dy row/column; flip_hw reverses the kernel's
 * spatial axes and ᵀ swaps its channel axes ([kh,kw,Cin,Cout] → [kh,kw,Cout,Cin]).
 * Unsupported cases (NCHW, non-float32) go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;
type Backend = tf.KernelBackend & { disposeData(id: object, force?: boolean): boolean };
type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function run(name: string, inputs: Record<string, Info>, backend: Backend, attrs: Record<string, unknown>): Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs, backend, attrs } as never) as Info;
}

export function makeConv2DBackpropInputWasm(original: tf.KernelFunc) {
  return function conv2DBackpropInputWasm(args: Args): Info {
    const { inputs, attrs } = args;
    const backend = args.backend as Backend;
    const dy = inputs.dy as Info;
    const filter = inputs.filter as Info;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
      strides: number | [number, number];
      pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: [number, number, number, number];
    };
    if (dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
      return original(args as never) as Info;
    }
    const info = tf.backend_util.computeConv2DInfo(
      inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { batchSize: n, inHeight: H, inWidth: W, outHeight: ho, outWidth: wo, outChannels: cout,
      strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;

    if (dy.shape[0] !== n || dy.shape[1] !== ho || dy.shape[2] !== wo || dy.shape[3] !== cout) {
      throw new Error(`Conv2DBackpropInput: dy shape [${dy.shape}] does not match [${n},${ho},${wo},${cout}]`);
    }
    const temps: Info[] = [];
    const keep = (t: Info) => (temps.push(t), t);
    try {
      // 1. zero-insert: [n, ho, wo, cout] → [n, ho·sh, wo·sw, cout] (all rank-4 ops)
      let z: Info = dy;
      if (sh > 1) {
        const r = keep(run('Reshape', { x: z }, backend, { shape: [n, ho, 1, wo * cout] }));
        const p = keep(run('PadV2', { x: r }, backend, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0]], constantValue: 0 }));
        z = keep(run('Reshape', { x: p }, backend, { shape: [n, ho * sh, wo, cout] }));
      }
      if (sw > 1) {
        const r = keep(run('Reshape', { x: z }, backend, { shape: [n * ho * sh, wo, 1, cout] }));
        const p = keep(run('PadV2', { x: r }, backend, { paddings: [[0, 0], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }));
        z = keep(run('Reshape', { x: p }, backend, { shape: [n, ho * sh, wo * sw, cout] }));
      }
      // 2. border: rows [−T, −T + H + kh − 1) of z, zeros outside (likewise columns)
      const T = kh - 1 - info.padInfo.top, L = kw - 1 - info.padInfo.left;
      const needH = H + kh - 1, needW = W + kw - 1;
      const zh = z.shape[1], zw = z.shape[2];
      const pt = Math.max(T, 0), pl = Math.max(L, 0);
      const ct = Math.max(-T, 0), cl = Math.max(-L, 0);
      const pb = Math.max(0, ct + needH - (zh + pt)), pr = Math.max(0, cl + needW - (zw + pl));
      if (pt || pb || pl || pr) {
        z = keep(run('PadV2', { x: z }, backend, { paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]], constantValue: 0 }));
      }
      if (ct || cl || z.shape[1] !== needH || z.shape[2] !== needW) {
        z = keep(run('Slice', { x: z }, backend, { begin: [0, ct, cl, 0], size: [n, needH, needW, cout] }));
      }
      // 3. flipped, channel-swapped filter and one valid stride-1 conv
      const flipped = keep(run('Reverse', { x: filter }, backend, { dims: [0, 1] }));
      const fT = keep(run('Transpose', { x: flipped }, backend, { perm: [0, 1, 3, 2] }));
      return run('Conv2D', { x: z, filter: fT }, backend, {
        strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}
