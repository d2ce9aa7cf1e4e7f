import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { augOf, onehotRows, putAug, tensorsOf, type StepFeeds } from './feeds';
import { Rng } from './rng';

beforeAll(async () => {
  await initBackend();
});

describe('step feeds', () => {
  it('one-hot rows put a single 1 per row at the given labels, and none for an unconditional model', () => {
    const h = onehotRows(3, Int32Array.of(2, 0, 1), 3, Rng.derive(1, 0))!;
    expect(h.shape).toEqual([3, 3]);
    expect(Array.from(h.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(onehotRows(0, undefined, 5, Rng.derive(1, 0))).toBeUndefined();
  });

  it('drawn labels follow the RNG: the same stream gives the same rows, each row sums to 1', () => {
    const a = onehotRows(10, undefined, 50, Rng.derive(7, 3))!;
    const b = onehotRows(10, undefined, 50, Rng.derive(7, 3))!;
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    for (let i = 0; i < 50; i++) expect(a.data.subarray(i * 10, i * 10 + 10).reduce((s, x) => s + x, 0)).toBe(1);
  });

  it('augmentation parameters survive the trip feeds → tensors → one batch of augmentation tensors', () => {
    const f: StepFeeds = {};
    putAug(f, 'augR', { rowShift: { data: Float32Array.of(1, -2), shape: [2] } });
    putAug(f, 'augF', null);
    expect(Object.keys(f)).toEqual(['augR.rowShift']);
    const t = tensorsOf(f);
    const a = augOf(t, 'augR', ['translation'])!;
    expect(a.ops).toEqual(['translation']);
    expect(Array.from(a.rowShift!.dataSync())).toEqual([1, -2]);
    expect(augOf(t, 'augF', ['translation'])).toBeNull();
    tf.dispose(Object.values(t));
  });
});
