/**
 * A generator as a small, explicit graph of plain layers (NHWC), read off a built Generator's
 * parameters with spectral normalization folded in (W/σ from the stored u, v) and batch norm
 * frozen to fixed statistics. Both the tfjs LayersModel and the ONNX writer are emitted from it.
 *
 * The structure mirrors models/mlp.ts, models/cnn.ts and models/resnet.ts; the export tests check it
 * numerically against the app's own Generator.apply, so a drift between the two fails loudly.
 */
import * as tf from '@tensorflow/tfjs';
import type { Generator, ModelSpec } from '../models/index';

export interface Weight {
  data: Float32Array;
  shape: number[];
}

interface Base {
  /** Output name, unique in the graph. */
  name: string;
  inputs: string[];
}

export type GNode =
  | (Base & { op: 'dense'; kernel: Weight; bias: Weight })
  | (Base & { op: 'reshape'; shape: number[] })
  | (Base & {
      op: 'bn';
      ch: number;
      /** [ch], or [classes, ch] when conditional (second input is the one-hot class). */
      gamma: Weight;
      beta: Weight;
      /** Frozen statistics; filled in by calibrate(). */
      mean?: Float32Array;
      variance?: Float32Array;
    })
  | (Base & { op: 'relu' | 'tanh' | 'upsample2' | 'add' })
  | (Base & { op: 'conv'; kernel: Weight; bias: Weight; k: number })
  | (Base & { op: 'deconv'; kernel: Weight; bias: Weight });

export interface GenGraph {
  arch: ModelSpec['arch'];
  zdim: number;
  classes: number;
  /** One sample's shape: [d] for points, [h, w, c] for images. */
  outShape: number[];
  nodes: GNode[];
  output: string;
}

export const BN_EPS = 1e-5;
export const Z_INPUT = 'z';
export const CLASS_INPUT = 'class';

/** Plain (folded) weights of a generator: W/σ for spectrally normalized kernels, the values themselves otherwise. */
export function foldedWeights(G: Generator): Map<string, Weight> {
  const out = new Map<string, Weight>();
  const p = G.params;
  for (const [name, v] of p.vars) {
    const isKernel = p.kernels.some((k) => k.kernel === name);
    const t = isKernel ? p.kernel(name) : v;
    out.set(name, { data: Float32Array.from(t.dataSync()), shape: [...v.shape] });
    if (t !== v) t.dispose();
  }
  return out;
}

/** Read the graph off a generator's (folded) weights for the given architecture. */
export function buildGraph(arch: ModelSpec['arch'], G: Generator, weights = foldedWeights(G)): GenGraph {
  const w = (n: string): Weight => {
    const x = weights.get(`G/${n}`);
    if (!x) throw new Error(`generator has no parameter G/${n}`);
    return x;
  };
  const nodes: GNode[] = [];
  const cond = G.classes > 0;
  const push = (n: GNode): string => {
    nodes.push(n);
    return n.name;
  };
  const dense = (layer: string, x: string) => push({ op: 'dense', name: layer, inputs: [x], kernel: w(`${layer}/kernel`), bias: w(`${layer}/bias`) });
  const conv = (layer: string, x: string) => {
    const kernel = w(`${layer}/kernel`);
    return push({ op: 'conv', name: layer, inputs: [x], kernel, bias: w(`${layer}/bias`), k: kernel.shape[0] });
  };
  const bn = (layer: string, x: string, conditional = cond) => {
    const beta = w(`${layer}/beta`);
    const ch = beta.shape[beta.shape.length - 1];
    return push({ op: 'bn', name: layer, inputs: conditional ? [x, CLASS_INPUT] : [x], ch, gamma: w(`${layer}/gamma`), beta });
  };
  const act = (op: 'relu' | 'tanh' | 'upsample2', x: string, name: string) => push({ op, name, inputs: [x] });

  if (arch === 'mlp') {
    let x = dense('fc1', Z_INPUT);
    if (cond) x = bn('cbn1', x);
    x = act('relu', x, 'relu1');
    x = act('relu', dense('fc2', x), 'relu2');
    x = act('relu', dense('fc3', x), 'relu3');
    const out = dense('out', x);
    return { arch, zdim: G.zdim, classes: G.classes, outShape: G.outShape, nodes, output: out };
  }
  if (arch === 'resnet32') {
    const ch = w('fc/bias').shape[0] / 16;
    let x = push({ op: 'reshape', name: 'fc_reshape', inputs: [dense('fc', Z_INPUT)], shape: [4, 4, ch] });
    for (const i of [1, 2, 3]) {
      const b = `block${i}`;
      let h = act('relu', bn(`${b}/bn1`, x), `${b}/relu1`);
      h = conv(`${b}/conv1`, act('upsample2', h, `${b}/up1`));
      h = conv(`${b}/conv2`, act('relu', bn(`${b}/bn2`, h), `${b}/relu2`));
      const s = conv(`${b}/shortcut`, act('upsample2', x, `${b}/up_sc`));
      x = push({ op: 'add', name: `${b}/add`, inputs: [h, s] });
    }
    x = act('relu', bn('bn_out', x, false), 'relu_out');
    const out = act('tanh', conv('out', x), 'tanh');
    return { arch, zdim: G.zdim, classes: G.classes, outShape: G.outShape, nodes, output: out };
  }
  // Standard CNN (dcgan28, cnn32, cnn64): dense → r0×r0×top → [deconv, BN, ReLU]×levels → conv 3×3 → tanh.
  const levels = [...weights.keys()].filter((k) => /^G\/deconv\d+\/kernel$/.test(k)).length;
  const r0 = G.outShape[0] / 2 ** levels;
  const top = w('fc/bias').shape[0] / (r0 * r0);
  let x = push({ op: 'reshape', name: 'fc_reshape', inputs: [dense('fc', Z_INPUT)], shape: [r0, r0, top] });
  x = act('relu', bn('bn0', x), 'relu0');
  for (let i = 1; i <= levels; i++) {
    const kernel = w(`deconv${i}/kernel`);
    x = push({ op: 'deconv', name: `deconv${i}`, inputs: [x], kernel, bias: w(`deconv${i}/bias`) });
    x = act('relu', bn(`bn${i}`, x), `relu${i}`);
  }
  const out = act('tanh', conv('out', x), 'tanh');
  return { arch, zdim: G.zdim, classes: G.classes, outShape: G.outShape, nodes, output: out };
}

const t = (w: Weight) => tf.tensor(w.data, w.shape);

/**
 * Run the graph with tfjs ops. With `calibrate`, batch norm uses the batch's own statistics
 * (as the app's generator does) and stores them in the nodes; otherwise it uses the stored ones.
 */
export function runGraph(g: GenGraph, z: tf.Tensor, onehot?: tf.Tensor, calibrate = false): tf.Tensor {
  return tf.tidy(() => {
    const vals = new Map<string, tf.Tensor>([[Z_INPUT, z]]);
    if (onehot) vals.set(CLASS_INPUT, onehot);
    const get = (n: string) => {
      const v = vals.get(n);
      if (!v) throw new Error(`graph input ${n} missing`);
      return v;
    };
    for (const n of g.nodes) {
      const x = get(n.inputs[0]);
      let y: tf.Tensor;
      switch (n.op) {
        case 'dense':
          y = tf.add(tf.matMul(x as tf.Tensor2D, t(n.kernel) as tf.Tensor2D), t(n.bias));
          break;
        case 'reshape':
          y = tf.reshape(x, [x.shape[0], ...n.shape]);
          break;
        case 'relu':
          y = tf.relu(x);
          break;
        case 'tanh':
          y = tf.tanh(x);
          break;
        case 'upsample2': {
          const [b, h, wd, c] = x.shape;
          y = tf.reshape(tf.mul(tf.reshape(x, [b, h, 1, wd, 1, c]), tf.ones([1, 1, 2, 1, 2, 1])), [b, h * 2, wd * 2, c]);
          break;
        }
        case 'add':
          y = tf.add(x, get(n.inputs[1]));
          break;
        case 'conv':
          y = tf.add(tf.conv2d(x as tf.Tensor4D, t(n.kernel) as tf.Tensor4D, 1, 'same'), t(n.bias));
          break;
        case 'deconv': {
          const [b, h, wd] = x.shape;
          const outC = n.kernel.shape[2];
          y = tf.add(tf.conv2dTranspose(x as tf.Tensor4D, t(n.kernel) as tf.Tensor4D, [b, h * 2, wd * 2, outC], 2, 'same'), t(n.bias));
          break;
        }
        case 'bn': {
          const axes = x.rank === 4 ? [0, 1, 2] : [0];
          let mean: tf.Tensor, variance: tf.Tensor;
          if (calibrate) {
            ({ mean, variance } = tf.moments(x, axes, true));
            n.mean = Float32Array.from(mean.dataSync());
            n.variance = Float32Array.from(variance.dataSync());
          } else {
            if (!n.mean || !n.variance) throw new Error(`batch norm ${n.name} has no frozen statistics (calibrate first)`);
            mean = tf.tensor(n.mean);
            variance = tf.tensor(n.variance);
          }
          const xn = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS)));
          if (n.inputs.length > 1) {
            const oh = get(n.inputs[1]) as tf.Tensor2D;
            const bshape = x.rank === 4 ? [x.shape[0], 1, 1, n.ch] : [x.shape[0], n.ch];
            y = tf.add(tf.mul(xn, tf.reshape(tf.matMul(oh, t(n.gamma) as tf.Tensor2D), bshape)), tf.reshape(tf.matMul(oh, t(n.beta) as tf.Tensor2D), bshape));
          } else y = tf.add(tf.mul(xn, t(n.gamma)), t(n.beta));
          break;
        }
      }
      vals.set(n.name, y);
    }
    return get(g.output);
  });
}

/** Freeze every batch norm to the generator's running statistics (false if it has none). */
export function freezeRunningStats(g: GenGraph, G: Generator): boolean {
  const bns = g.nodes.filter((n): n is Extract<GNode, { op: 'bn' }> => n.op === 'bn');
  const stat = (n: string) => G.params.stats.get(`G/${n}`);
  if (!bns.every((n) => stat(`${n.name}/moving_mean`) && stat(`${n.name}/moving_variance`))) return false;
  for (const n of bns) {
    n.mean = Float32Array.from(stat(`${n.name}/moving_mean`)!.dataSync());
    n.variance = Float32Array.from(stat(`${n.name}/moving_variance`)!.dataSync());
  }
  return true;
}

/** Freeze every batch norm to the statistics of one calibration batch. Returns the graph's output on that batch. */
export function calibrate(g: GenGraph, z: tf.Tensor, onehot?: tf.Tensor): tf.Tensor {
  return runGraph(g, z, onehot, true);
}

export function graphHasBatchNorm(g: GenGraph): boolean {
  return g.nodes.some((n) => n.op === 'bn');
}
