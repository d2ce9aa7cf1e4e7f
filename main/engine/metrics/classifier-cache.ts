/**
 * The feature classifier (classifier.ts; NOT Inception) trained once per dataset and settings, then kept on
 * disk under `<workspace>/cache/feature-classifier/<key>/` (model.json + weights.bin, written to a temp folder
 * and renamed), so every run and every comparison on that dataset scores in the same feature space without
 * retraining. The key covers the dataset's id, size, layout, a fingerprint of its pixels and labels, and the
 * classifier settings.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { featureClassifier, trainFeatureClassifier, type ClassifierOptions, type FeatureClassifier } from './classifier';

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

export const CLASSIFIER_DEFAULTS: Required<ClassifierOptions> = { featureDim: 64, epochs: 3, batchSize: 64, maxTrain: 2000, seed: 0 };

/** Cache key: dataset identity + content fingerprint + classifier settings. */
export function classifierKey(d: LabelledImages, o: ClassifierOptions = {}): string {
  const s = { ...CLASSIFIER_DEFAULTS, ...o };
  const h = createHash('sha256');
  h.update(JSON.stringify({ id: d.id, w: d.width, h: d.height, c: d.channels, n: d.count, classes: d.classes, ...s }));
  const n = Math.min(d.count, s.maxTrain);
  const px = d.pixels.subarray(0, n * d.width * d.height * d.channels);
  h.update(px);
  h.update(d.labels.subarray(0, n));
  return h.digest('hex').slice(0, 16);
}

export function classifierCacheDir(workspace: string, key: string): string {
  return path.join(workspace, 'cache', 'feature-classifier', key);
}

interface Meta {
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
  trainAccuracy: number;
  dataset: string;
  note: string;
}

export async function saveClassifier(clf: FeatureClassifier, dir: string, dataset: string): Promise<void> {
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
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await fs.mkdir(tmp, { recursive: true });
  await fs.writeFile(path.join(tmp, 'weights.bin'), new Uint8Array(weights));
  await fs.writeFile(path.join(tmp, 'model.json'), JSON.stringify(meta));
  await fs.mkdir(path.dirname(dir), { recursive: true });
  try {
    await fs.rename(tmp, dir);
  } catch {
    // another process cached it first: keep theirs
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

export async function loadClassifier(dir: string): Promise<FeatureClassifier | null> {
  let meta: Meta, weights: Buffer;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as Meta;
    weights = await fs.readFile(path.join(dir, 'weights.bin'));
  } catch {
    return null;
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: meta.modelTopology, weightSpecs: meta.weightSpecs, weightData }));
  return featureClassifier(model, meta.trainAccuracy);
}

/** The cached classifier for this dataset, training (and caching) it on first use. */
export async function cachedClassifier(
  workspace: string,
  d: LabelledImages,
  o: ClassifierOptions = {},
): Promise<{ clf: FeatureClassifier; cached: boolean; dir: string }> {
  const s = { ...CLASSIFIER_DEFAULTS, ...o };
  const dir = classifierCacheDir(workspace, classifierKey(d, s));
  const hit = await loadClassifier(dir).catch(() => null);
  if (hit) return { clf: hit, cached: true, dir };
  const clf = await trainFeatureClassifier(d, s);
  await saveClassifier(clf, dir, d.id).catch(() => undefined);
  return { clf, cached: false, dir };
}
