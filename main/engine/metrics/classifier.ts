/**
 * The feature space for this app's FID / KID: a small CNN classifier trained on the dataset's own labels.
 * Its penultimate layer (a `featureDim`-wide dense layer) gives the features.
 *
 * THIS IS NOT INCEPTION-FID. Inception-v3 features (what papers report) are not used here: numbers from this
 * feature space are comparable only between runs on the same dataset scored with the same trained classifier
 * (same seed, same settings), never with published FID/KID values.
 */
import * as tf from '@tensorflow/tfjs';
import { fidFromFeatures } from './frechet';
import { kidFromFeatures, type KidOptions } from './kid';
import { gather, stratifiedSample } from './eval-sample';

/**
 * Epochs over the classifier's (up to 2,000) training images. Three conv layers and 20 epochs reach ≈ 81 % train
 * accuracy on Fashion-MNIST (2 layers, 3 epochs: 35 %, features too weak to tell generators apart).
 */
export const CLASSIFIER_EPOCHS = 20;

export interface ClassifierOptions {
  featureDim?: number;
  epochs?: number;
  batchSize?: number;
  /** Caps the training images used: a seeded class-stratified sample of this many (eval-sample.ts). */
  maxTrain?: number;
  /** Exactly these training images (dataset indices, in this order); overrides maxTrain. */
  indices?: number[];
  seed?: number;
}

export interface FeatureClassifier {
  featureDim: number;
  /** Training accuracy after the last epoch (a sanity check that the features mean something). */
  trainAccuracy: number;
  /** Features of NHWC images in [0, 1] (count × featureDim, row-major). */
  features(images: Float32Array, count: number): Float32Array;
  /** The whole classifier (for saving it: metrics/classifier-cache.ts). */
  model: tf.LayersModel;
  dispose(): void;
}

/** Uint8 NHWC pixels → float [0, 1]. */
export function toUnit(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}

export async function trainFeatureClassifier(
  data: { width: number; height: number; channels: number; count: number; pixels: Uint8Array; labels: Uint8Array; classes: string[] },
  o: ClassifierOptions = {},
): Promise<FeatureClassifier> {
  const featureDim = o.featureDim ?? 64;
  const seed = o.seed ?? 0;
  const { width: w, height: h, channels: c } = data;
  // not the first N: folder imports are sorted by class, so those would be one or two classes
  const idx = o.indices ?? stratifiedSample(data.count, data.labels, o.maxTrain ?? data.count, seed * 2 + 2);
  const n = idx.length;
  const k = Math.max(2, data.classes.length);
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [h, w, c], filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(5) }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: featureDim, activation: 'relu', kernelInitializer: init(3), name: 'features' }),
      tf.layers.dense({ units: k, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(2e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor4d(toUnit(gather(data.pixels, w * h * c, idx)), [n, h, w, c]);
  const y = tf.tensor1d(idx.map((i) => data.labels[i]), 'float32');
  let trainAccuracy = 0;
  try {
    // the sample is already in a seeded random order; fit's own shuffle would use Math.random (not reproducible)
    const hist = await model.fit(x, y, { epochs: o.epochs ?? CLASSIFIER_EPOCHS, batchSize: o.batchSize ?? 64, shuffle: false, verbose: 0 });
    const acc = hist.history.acc ?? hist.history.accuracy;
    trainAccuracy = acc ? Number(acc[acc.length - 1]) : 0;
  } finally {
    x.dispose();
    y.dispose();
  }
  return featureClassifier(model, trainAccuracy);
}

/** Wrap a trained (or loaded) classifier whose penultimate layer is named 'features'. */
export function featureClassifier(model: tf.LayersModel, trainAccuracy: number): FeatureClassifier {
  const layer = model.getLayer('features');
  const featureDim = (layer.outputShape as number[])[1];
  const [h, w, c] = (model.inputs[0].shape as number[]).slice(1);
  const feat = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  return {
    featureDim,
    trainAccuracy,
    model,
    features(images: Float32Array, count: number): Float32Array {
      const out = new Float32Array(count * featureDim);
      const bs = 256;
      for (let s = 0; s < count; s += bs) {
        const m = Math.min(bs, count - s);
        const chunk = tf.tidy(() => {
          const t = tf.tensor4d(images.subarray(s * w * h * c, (s + m) * w * h * c), [m, h, w, c]);
          return feat.predict(t) as tf.Tensor;
        });
        out.set(chunk.dataSync() as Float32Array, s * featureDim);
        chunk.dispose();
      }
      return out;
    },
    dispose() {
      model.dispose();
    },
  };
}

/** FID and KID of generated vs real images (both NHWC in [0, 1]) in the classifier's feature space. */
export function classifierFidKid(
  clf: FeatureClassifier,
  real: Float32Array,
  nReal: number,
  fake: Float32Array,
  nFake: number,
  kid: KidOptions = {},
): { fid: number; kid: number; kidStd: number } {
  const fr = clf.features(real, nReal), ff = clf.features(fake, nFake);
  const d = clf.featureDim;
  const k = kidFromFeatures(fr, nReal, ff, nFake, d, kid);
  return { fid: fidFromFeatures(fr, nReal, ff, nFake, d), kid: k.mean, kidStd: k.std };
}
