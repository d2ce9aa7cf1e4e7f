import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { classifierFidKid, toUnit, trainFeatureClassifier } from './classifier';

beforeAll(async () => {
  await initBackend();
});

/** Two classes of 12×12 one-channel images: bright left half vs bright bottom half, with noise. */
function toy(count: number, seed: number) {
  let a = seed;
  const rnd = () => ((a = (a * 1103515245 + 12345) >>> 0) / 4294967296);
  const w = 12;
  const pixels = new Uint8Array(count * w * w);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const cls = n % 2;
    labels[n] = cls;
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) {
        const on = cls === 0 ? x < w / 2 : y >= w / 2;
        pixels[n * w * w + y * w + x] = Math.min(255, Math.round((on ? 200 : 30) + 40 * rnd()));
      }
  }
  return { width: w, height: w, channels: 1, count, pixels, labels, classes: ['left', 'bottom'] };
}

describe('classifier feature space (not Inception)', () => {
  it('learns the labels; FID/KID ≈ 0 for a set against itself, larger for one class only', async () => {
    const data = toy(128, 1);
    const clf = await trainFeatureClassifier(data, { epochs: 15, batchSize: 32, featureDim: 16, seed: 1 });
    expect(clf.trainAccuracy).toBeGreaterThan(0.9);
    const real = toUnit(data.pixels);
    const same = classifierFidKid(clf, real, 128, real, 128);
    expect(same.fid).toBeLessThan(1e-6);
    // the unbiased estimate on a set against itself is ≤ 0 (the cross term includes the diagonal)
    expect(same.kid).toBeLessThanOrEqual(1e-9);
    // "generator" that only ever makes class 0 (mode collapse)
    const other = toy(128, 2);
    const half = new Float32Array(64 * 144);
    for (let i = 0; i < 64; i++) half.set(toUnit(other.pixels.subarray(2 * i * 144, (2 * i + 1) * 144)), i * 144);
    const fresh = classifierFidKid(clf, real, 128, toUnit(other.pixels), 128);
    const collapsed = classifierFidKid(clf, real, 128, half, 64);
    expect(collapsed.fid).toBeGreaterThan(5 * fresh.fid);
    expect(collapsed.kid).toBeGreaterThan(fresh.kid);
    expect(Math.abs(fresh.kid)).toBeLessThan(collapsed.kid / 3);
    expect(clf.features(real, 3)).toHaveLength(3 * 16);
    clf.dispose();
    expect(tf.memory().numTensors).toBeLessThan(50);
  }, 30_000);
});
