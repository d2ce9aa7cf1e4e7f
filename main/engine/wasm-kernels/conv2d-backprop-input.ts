/**
 * Faster Conv2DBackpropInput for the wasm backend (the gradient of conv2d w.r.t. its input,
 * and the forward pass of conv2dTranspose). tfjs 4.22's wasm kernel is a naive single loop
 * (~9× slower than the XNNPACK forward conv it mirrors). Here it runs as XNNPACK convs of dy
 * itself, one per stride phase, with no zero-insertion:
 *
 *   output rows t = s·i + a (phase a) receive only the kernel rows k ≡ (a + pad) mod s, so
 *   dx[s·i + a] = Σ_m dy[i + q0 − m] · W[s·m + r],  r = (a + pad) mod s,  q0 = ⌊(a + pad)/s⌋,
 *   m = 0..M−1, M = ⌈(K − r)/s⌉ — a 'valid' stride-1 conv of dy (from row q0 − M + 1) with the
 *   sub-kernel rows r, r+s, … reversed and its channel axes swapped.
 *
 * A zero-inserted dy would spend (s_h·s_w − 1)/(s_h·s_w) of the FLOPs on zeros. The small
 * re-layouts (sub-kernel gather, phase interleave) are plain loops over the wasm heap: tfjs's
 * wasm StridedSlice / Reverse / DepthToSpace were each slower than the convolution itself.
 * Unsupported cases (NCHW, non-float32) go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { runWasm as run, type Args, type Backend, type Info } from './support';

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
    return stridePhases(backend, dy, filter, { n, H, W, ho, wo, sh, sw, kh, kw, padTop: info.padInfo.top, padLeft: info.padInfo.left });
  };
}

const CONV_VALID = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };

/** One axis of one phase: kernel residue r, number of taps, first dy row of its window. */
interface Phase { r: number; taps: number; off: number }
export function phase(a: number, s: number, k: number, pad: number): Phase {
  const r = (a + pad) % s;
  const taps = Math.max(0, Math.ceil((k - r) / s));
  return { r, taps, off: Math.floor((a + pad) / s) - taps + 1 };
}

interface Geometry { n: number; H: number; W: number; ho: number; wo: number; sh: number; sw: number; kh: number; kw: number; padTop: number; padLeft: number }

/**
 * Sub-kernel of phase (pr, pc) as a conv filter over dy: [taps_r, taps_c, cout, cin] with
 * V[j1, j2, co, ci] = W[sh·(taps_r − 1 − j1) + r, sw·(taps_c − 1 − j2) + rc, ci, co].
 */
const TILE = 32;

function subKernel(w: Float32Array, g: Geometry, cin: number, cout: number, pr: Phase, pc: Phase): Float32Array {
  const out = new Float32Array(pr.taps * pc.taps * cout * cin);
  let o = 0;
  for (let j1 = 0; j1 < pr.taps; j1++) {
    const y = g.sh * (pr.taps - 1 - j1) + pr.r;
    for (let j2 = 0; j2 < pc.taps; j2++) {
      const base = (y * g.kw + g.sw * (pc.taps - 1 - j2) + pc.r) * cin * cout;
      // [cin, cout] → [cout, cin] in tiles, so both sides stay in cache
      for (let c0 = 0; c0 < cout; c0 += TILE) {
        for (let i0 = 0; i0 < cin; i0 += TILE) {
          const c1 = Math.min(c0 + TILE, cout), i1 = Math.min(i0 + TILE, cin);
          for (let co = c0; co < c1; co++) {
            const row = o + co * cin;
            for (let ci = i0; ci < i1; ci++) out[row + ci] = w[base + ci * cout + co];
          }
        }
      }
      o += cout * cin;
    }
  }
  return out;
}

function stridePhases(backend: Backend, dy: Info, filter: Info, g: Geometry): Info {
  const { n, H, W, ho, wo, sh, sw, kh, kw } = g;
  const cin = filter.shape[2], cout = filter.shape[3];
  const I = Math.ceil(H / sh), J = Math.ceil(W / sw);
  const rows = Array.from({ length: sh }, (_, a) => phase(a, sh, kh, g.padTop));
  const cols = Array.from({ length: sw }, (_, b) => phase(b, sw, kw, g.padLeft));
  const temps: Info[] = [];
  const keep = (t: Info) => (temps.push(t), t);
  try {
    // dy padded once so that every phase's window lies inside it
    const top = Math.max(0, ...rows.map((p) => -p.off)), left = Math.max(0, ...cols.map((p) => -p.off));
    const bottom = Math.max(0, ...rows.map((p) => p.off + I + p.taps - 1 - ho));
    const right = Math.max(0, ...cols.map((p) => p.off + J + p.taps - 1 - wo));
    let dyPadded: Info | null = null;
    const padded = (): Info => (dyPadded ??= top || bottom || left || right
      ? keep(run('PadV2', { x: dy }, backend, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }))
      : dy);
    const w = backend.typedArrayFromHeap(filter).slice();
    const phases: (Info | null)[] = [];
    for (const pr of rows) {
      for (const pc of cols) {
        if (pr.taps === 0 || pc.taps === 0) { phases.push(null); continue; } // no kernel row reaches it: zeros
        const winH = I + pr.taps - 1, winW = J + pc.taps - 1;
        const sub = keep(backend.makeOutput([pr.taps, pc.taps, cout, cin], 'float32'));
        backend.typedArrayFromHeap(sub).set(subKernel(w, g, cin, cout, pr, pc));
        if (pr.off <= 0 && pc.off <= 0 && pr.off + winH >= ho && pc.off + winW >= wo) {
          // the window only reaches past dy's border: explicit zero padding, no copy of dy
          const padding = [[0, 0], [-pr.off, pr.off + winH - ho], [-pc.off, pc.off + winW - wo], [0, 0]];
          phases.push(keep(run('Conv2D', { x: dy, filter: sub }, backend, { ...CONV_VALID, pad: padding })));
          continue;
        }
        const dyP = padded();
        const win = dyP.shape[1] === winH && dyP.shape[2] === winW ? dyP : keep(run('Slice', { x: dyP }, backend, {
          begin: [0, pr.off + top, pc.off + left, 0], size: [n, winH, winW, cout],
        }));
        phases.push(keep(run('Conv2D', { x: win, filter: sub }, backend, CONV_VALID)));
      }
    }
    if (phases.length === 1 && I === H && J === W) {
      temps.splice(temps.indexOf(phases[0]!), 1);
      return phases[0]!;
    }
    // interleave: dx[:, sh·i + a, sw·j + b, :] = phase(a, b)[:, i, j, :], cropped to H × W
    const dx = backend.makeOutput([n, H, W, cin], 'float32');
    const out = backend.typedArrayFromHeap(dx); // views taken after the last allocation
    out.fill(0);
    phases.forEach((p, idx) => {
      if (!p) return;
      const a = Math.floor(idx / sw), b = idx % sw;
      const src = backend.typedArrayFromHeap(p);
      for (let bn = 0; bn < n; bn++) {
        for (let i = 0; i < I && sh * i + a < H; i++) {
          for (let j = 0; j < J && sw * j + b < W; j++) {
            const from = ((bn * I + i) * J + j) * cin;
            out.set(src.subarray(from, from + cin), ((bn * H + sh * i + a) * W + sw * j + b) * cin);
          }
        }
      }
    });
    return dx;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
