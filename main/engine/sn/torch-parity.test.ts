/**
 * Parity with torch.nn.utils.spectral_norm (fixtures/make_fixtures.py, PyTorch 1.13, float64).
 * Fixtures are in PyTorch layouts; conversion to tfjs layouts happens here.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import fixturesJson from './fixtures/torch_sn.json';
import { initBackend } from '../backend';
import { SpectralNorm, type SNKind } from './index';

interface Case {
  nIters: number; mode: 'train' | 'eval'; R: number[]; outputShape: number[]; output: number[];
  uAfter: number[]; vAfter: number[]; sigma: number; exactSigma: number; gradWeight: number[]; gradInput: number[];
}
interface Layer {
  kind: SNKind; config: { stride?: number; padding?: number }; weightShape: number[]; weight: number[];
  u0: number[]; v0: number[]; inputShape: number[]; input: number[]; cases: Case[];
}
const fixtures = fixturesJson as unknown as { torch: string; layers: Layer[] };

/** torch weight layout → tfjs kernel layout. Linear [out,in]→[in,out]; Conv2d [out,in,kh,kw]→[kh,kw,in,out];
 *  ConvTranspose2d [in,out,kh,kw]→[kh,kw,out,in]. Both conv cases are the permutation (2,3,1,0). */
const weightPerm = (kind: SNKind) => (kind === 'dense' ? [1, 0] : [2, 3, 1, 0]);
const toTfWeight = (kind: SNKind, data: number[], shape: number[]) => tf.tidy(() => tf.transpose(tf.tensor(data, shape), weightPerm(kind)));
/** NCHW → NHWC (2-D activations unchanged). */
const toNHWC = (data: number[], shape: number[]) => tf.tidy(() => shape.length === 4 ? tf.transpose(tf.tensor(data, shape), [0, 2, 3, 1]) : tf.tensor(data, shape));
/** torch v (columns ordered (in, kh, kw)) → ours (kh, kw, in). */
function toOurV(kind: SNKind, v: number[], weightShape: number[]): Float32Array {
  if (kind === 'dense') return Float32Array.from(v);
  const [, , kh, kw] = weightShape;
  const cin = v.length / (kh * kw);
  return tf.tidy(() => tf.transpose(tf.tensor(v, [cin, kh, kw]), [1, 2, 0]).dataSync() as Float32Array);
}
function relErr(got: tf.Tensor | ArrayLike<number>, ref: tf.Tensor | ArrayLike<number>): number {
  const a = got instanceof tf.Tensor ? got.dataSync() : got, b = ref instanceof tf.Tensor ? ref.dataSync() : ref;
  expect(a.length).toBe(b.length);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / den;
}

function forward(layer: Layer, x: tf.Tensor, kernel: tf.Tensor, outShapeNHWC: number[]): tf.Tensor {
  const s = layer.config.stride ?? 1, p = layer.config.padding ?? 0;
  switch (layer.kind) {
    case 'dense': return tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
    case 'conv2d': return tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, s, [[0, 0], [p, p], [p, p], [0, 0]]);
    case 'conv2dTranspose': {
      const k = kernel.shape[0];
      // PyTorch padding p with k = 2p + s gives output s·H, which is tfjs 'same'.
      expect(k).toBe(2 * p + s);
      return tf.conv2dTranspose(x as tf.Tensor4D, kernel as tf.Tensor4D, outShapeNHWC as [number, number, number, number], s, 'same');
    }
  }
}

beforeAll(async () => { await initBackend(); });

describe(`parity with torch.nn.utils.spectral_norm (torch ${fixtures.torch})`, () => {
  it('fixtures cover all three kinds, 1 and 3 iterations, train and eval', () => {
    expect(fixtures.layers.map((l) => l.kind)).toEqual(['dense', 'conv2d', 'conv2dTranspose']);
    for (const l of fixtures.layers) expect(l.cases.map((c) => `${c.nIters}${c.mode}`)).toEqual(['1train', '1eval', '3train', '3eval']);
  });

  for (const layer of fixtures.layers) {
    for (const c of layer.cases) {
      it(`${layer.kind}, n_power_iterations=${c.nIters}, ${c.mode}: u, σ, output and gradients`, () => {
        const W = tf.variable(toTfWeight(layer.kind, layer.weight, layer.weightShape));
        const x = tf.variable(toNHWC(layer.input, layer.inputShape));
        const sn = new SpectralNorm(W, layer.kind, { iters: c.nIters });
        sn.setState({ u: layer.u0, v: toOurV(layer.kind, layer.v0, layer.weightShape) });
        if (c.mode === 'train') sn.powerIterate();

        const st = sn.getState();
        expect(relErr(st.u, c.uAfter)).toBeLessThan(1e-4);
        expect(relErr(st.v, toOurV(layer.kind, c.vAfter, layer.weightShape))).toBeLessThan(1e-4);
        if (c.mode === 'eval') expect(Array.from(st.u)).toEqual(Array.from(Float32Array.from(layer.u0))); // eval: u not updated
        expect(Math.abs(sn.sigmaEstimate() - c.sigma) / c.sigma).toBeLessThan(1e-5);

        const R = toNHWC(c.R, c.outputShape);
        const outNHWC = R.shape;
        const y = tf.tidy(() => forward(layer, x, sn.normalized(), outNHWC));
        const refY = toNHWC(c.output, c.outputShape);
        expect(y.shape).toEqual(refY.shape);
        expect(relErr(y, refY)).toBeLessThan(1e-4);

        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(forward(layer, x, sn.normalized(), outNHWC), R)) as tf.Scalar, [W, x]);
        const refGW = toTfWeight(layer.kind, c.gradWeight, layer.weightShape);
        const refGX = toNHWC(c.gradInput, layer.inputShape);
        expect(relErr(grads[W.name], refGW)).toBeLessThan(1e-4);
        expect(relErr(grads[x.name], refGX)).toBeLessThan(1e-4);
        // power iteration must not have run inside the loss: u is unchanged by forward/backward
        expect(Array.from(sn.getState().u)).toEqual(Array.from(st.u));

        tf.dispose([R, y, refY, refGW, refGX, ...Object.values(grads)]);
        sn.dispose(); W.dispose(); x.dispose();
      });
    }
  }
});
