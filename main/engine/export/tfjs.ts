/**
 * GenGraph → a tf.LayersModel of stock layers only (dense, reshape, batchNormalization in inference form,
 * conv2dTranspose, conv2d, upSampling2d, add, multiply, activation), saved as model.json + weights.bin
 * in the standard tfjs layers-model format. Loads with plain `tf.loadLayersModel`, no custom classes.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPS, CLASS_INPUT, Z_INPUT, type GenGraph, type Weight } from './graph';

const ten = (w: Weight | Float32Array, shape?: number[]) => (w instanceof Float32Array ? tf.tensor(w, shape) : tf.tensor(w.data, w.shape));
const safe = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

/** Build the LayersModel with the graph's weights. Inputs: z [n, zdim] (and class one-hot [n, classes]). */
export function toLayersModel(g: GenGraph): tf.LayersModel {
  const zIn = tf.input({ shape: [g.zdim], name: Z_INPUT });
  const inputs: tf.SymbolicTensor[] = [zIn];
  const vals = new Map<string, tf.SymbolicTensor>([[Z_INPUT, zIn]]);
  if (g.classes > 0) {
    const cIn = tf.input({ shape: [g.classes], name: CLASS_INPUT });
    inputs.push(cIn);
    vals.set(CLASS_INPUT, cIn);
  }
  const setW: [tf.layers.Layer, tf.Tensor[]][] = [];
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[], weights?: tf.Tensor[]) => {
    const y = layer.apply(x) as tf.SymbolicTensor;
    if (weights) setW.push([layer, weights]);
    return y;
  };
  for (const n of g.nodes) {
    const x = vals.get(n.inputs[0])!;
    const name = safe(n.name);
    let y: tf.SymbolicTensor;
    switch (n.op) {
      case 'dense':
        y = apply(tf.layers.dense({ units: n.kernel.shape[1], name }), x, [ten(n.kernel), ten(n.bias)]);
        break;
      case 'reshape':
        y = apply(tf.layers.reshape({ targetShape: n.shape, name }), x);
        break;
      case 'relu':
      case 'tanh':
        y = apply(tf.layers.activation({ activation: n.op, name }), x);
        break;
      case 'upsample2':
        y = apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest', name }), x);
        break;
      case 'add':
        y = apply(tf.layers.add({ name }), [x, vals.get(n.inputs[1])!]);
        break;
      case 'conv':
        y = apply(tf.layers.conv2d({ filters: n.kernel.shape[3], kernelSize: n.k, strides: 1, padding: 'same', name }), x, [ten(n.kernel), ten(n.bias)]);
        break;
      case 'deconv':
        y = apply(tf.layers.conv2dTranspose({ filters: n.kernel.shape[2], kernelSize: 4, strides: 2, padding: 'same', name }), x, [ten(n.kernel), ten(n.bias)]);
        break;
      case 'bn': {
        if (!n.mean || !n.variance) throw new Error(`batch norm ${n.name} has no frozen statistics`);
        const conditional = n.inputs.length > 1;
        const stats = [ten(n.mean, [n.ch]), ten(n.variance, [n.ch])];
        if (!conditional) {
          y = apply(tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPS, name }), x, [ten(n.gamma, [n.ch]), ten(n.beta, [n.ch]), ...stats]);
          break;
        }
        // Conditional BN: normalise with frozen statistics, then per-class γ, β = one-hot · table.
        const xn = apply(tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPS, center: false, scale: false, name }), x, stats);
        const oh = vals.get(n.inputs[1])!;
        const spatial = x.shape.length === 4;
        const table = (which: 'gamma' | 'beta', w: Weight) => {
          const d = apply(tf.layers.dense({ units: n.ch, useBias: false, name: `${name}_${which}` }), oh, [ten(w)]);
          return spatial ? apply(tf.layers.reshape({ targetShape: [1, 1, n.ch], name: `${name}_${which}_reshape` }), d) : d;
        };
        const scaled = apply(tf.layers.multiply({ name: `${name}_scale` }), [xn, table('gamma', n.gamma)]);
        y = apply(tf.layers.add({ name: `${name}_shift` }), [scaled, table('beta', n.beta)]);
        break;
      }
    }
    vals.set(n.name, y);
  }
  const model = tf.model({ inputs, outputs: vals.get(g.output)!, name: `sngan_${g.arch}_generator` });
  for (const [layer, ws] of setW) {
    layer.setWeights(ws);
    tf.dispose(ws);
  }
  return model;
}

export interface LayersArtifacts {
  /** model.json contents (standard tfjs format, weights in "weights.bin"). */
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

/** Serialize with a custom save handler (no file:// handler without tfjs-node). */
export async function saveLayersModel(model: tf.LayersModel, weightsFile = 'weights.bin'): Promise<LayersArtifacts> {
  let out: LayersArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData;
      const buf = data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
      out = {
        modelJson: {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: 'SNGAN Studio export',
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: [weightsFile], weights: a.weightSpecs }],
        },
        weights: new Uint8Array(buf),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!out) throw new Error('tfjs did not hand over the model artifacts');
  return out;
}

/** Load model.json + weights (as written by saveLayersModel) with stock tf.loadLayersModel. */
export function loadLayersModelFrom(modelJson: Record<string, unknown>, weights: Uint8Array): Promise<tf.LayersModel> {
  const manifest = modelJson.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[];
  const copy = weights.slice().buffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: manifest.flatMap((m) => m.weights),
      weightData: copy,
    }),
  );
}
