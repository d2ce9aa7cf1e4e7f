/**
 * The feature classifier (classifier.ts; NOT Inception) trained once per dataset and settings, then kept in a
 * ClassifierCache (on disk: runs/cache.ts), so every run and every comparison on that dataset scores in the same
 * feature space without retraining. The key covers the dataset's id, size, layout, a fingerprint of its pixels
 * and labels, and the classifier settings.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { CLASSIFIER_EPOCHS, featureClassifier, trainFeatureClassifier, type ClassifierOptions, type FeatureClassifier } from './classifier';
import { gather, stratifiedSample } from './eval-sample';

export interface LabelledImages {
  id: string;
  width: number;
  height: number;
  channels: number;
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
  classes: string[];
}

export const CLASSIFIER_DEFAULTS: Required<Omit<ClassifierOptions, 'indices'>> = { featureDim: 64, epochs: CLASSIFIER_EPOCHS, batchSize: 64, maxTrain: 2000, seed: 0 };

/** The training images these options select (the explicit indices, else the stratified sample trainFeatureClassifier draws). */
function trainIndices(d: LabelledImages, o: ClassifierOptions): number[] {
  const s = { ...CLASSIFIER_DEFAULTS, ...o };
  return o.indices ?? stratifiedSample(d.count, d.labels, s.maxTrain, s.seed * 2 + 2);
}

/** Cache key: dataset identity + the training images (indices and content) + classifier settings. */
export function classifierKey(d: LabelledImages, o: ClassifierOptions = {}): string {
  const { indices: _i, ...s } = { ...CLASSIFIER_DEFAULTS, ...o };
  const idx = trainIndices(d, o);
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 3, id: d.id, w: d.width, h: d.height, c: d.channels, n: d.count, classes: d.classes, ...s }));
  h.update(new Uint8Array(Int32Array.from(idx).buffer));
  h.update(gather(d.pixels, d.width * d.height * d.channels, idx));
  h.update(Uint8Array.from(idx, (i) => d.labels[i]));
  return h.digest('hex').slice(0, 16);
}

/**
 * Where trained classifiers are kept, by key: the file implementation is runs/cache.ts
 * (`<workspace>/cache/feature-classifier/<key>/`); tests use memory. `where` names the entry for messages.
 */
export interface ClassifierCache {
  load(key: string): Promise<{ json: string; weights: Uint8Array } | null>;
  save(key: string, entry: { json: string; weights: Uint8Array }): Promise<void>;
  where(key: string): string;
}

interface Meta {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  trainAccuracy: number;
  dataset: string;
  note: string;
}

/** The classifier as a cache entry: model.json-like metadata and the weights' bytes. */
export async function serializeClassifier(clf: FeatureClassifier, dataset: string): Promise<{ json: string; weights: Uint8Array }> {
  let art: tf.io.ModelArtifacts | null = null;
  await clf.model.save(tf.io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const a = art as tf.io.ModelArtifacts | null;
  if (!a?.modelTopology || !a.weightSpecs || !a.weightData) throw new Error('classifier: nothing to save');
  const weights = Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData;
  const meta: Meta = {
    modelTopology: a.modelTopology as object,
    weightSpecs: a.weightSpecs,
    trainAccuracy: clf.trainAccuracy,
    dataset,
    note: 'Feature classifier for this app\'s FID/KID (NOT Inception-v3); trained on the dataset\'s labels.',
  };
  return { json: JSON.stringify(meta), weights: new Uint8Array(weights) };
}

export async function deserializeClassifier(entry: { json: string; weights: Uint8Array }): Promise<FeatureClassifier> {
  const meta = JSON.parse(entry.json) as Meta;
  const w = entry.weights;
  const weightData = w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: meta.modelTopology, weightSpecs: meta.weightSpecs, weightData }));
  return featureClassifier(model, meta.trainAccuracy);
}

/** The cached classifier for this dataset, training (and caching) it on first use. */
export async function cachedClassifier(
  cache: ClassifierCache,
  d: LabelledImages,
  o: ClassifierOptions = {},
): Promise<{ clf: FeatureClassifier; cached: boolean; dir: string }> {
  const s = { ...CLASSIFIER_DEFAULTS, ...o };
  const key = classifierKey(d, s);
  const entry = await cache.load(key).catch(() => null);
  const hit = entry ? await deserializeClassifier(entry).catch(() => null) : null;
  if (hit) return { clf: hit, cached: true, dir: cache.where(key) };
  const clf = await trainFeatureClassifier(d, { ...s, indices: trainIndices(d, o) });
  await serializeClassifier(clf, d.id)
    .then((e) => cache.save(key, e))
    .catch(() => undefined);
  return { clf, cached: false, dir: cache.where(key) };
}
