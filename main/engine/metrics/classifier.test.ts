import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { classifierFidKid, toUnit, trainFeatureClassifier } from './classifier';
import { toy } from './toy-images.test-util';

beforeAll(async () => {
  await initBackend();
});


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
