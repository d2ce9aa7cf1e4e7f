import { describe, expect, it } from 'vitest';
import { evalSplit, indexHash, stratifiedSample } from './eval-sample';

/** A class-folder import: 600 of class 0, then 300 of class 1, then 100 of class 2. */
const sorted = Uint8Array.from({ length: 1000 }, (_, i) => (i < 600 ? 0 : i < 900 ? 1 : 2));
const perClass = (idx: number[]) => [0, 1, 2].map((c) => idx.filter((i) => sorted[i] === c).length);

describe('evaluation samples (issue #17, defect 2)', () => {
  it('are class-stratified, seeded and distinct, not the first N', () => {
    const s = stratifiedSample(1000, sorted, 200, 7);
    expect(perClass(s)).toEqual([120, 60, 20]);
    expect(new Set(s).size).toBe(200);
    expect(stratifiedSample(1000, sorted, 200, 7)).toEqual(s);
    expect(stratifiedSample(1000, sorted, 200, 8)).not.toEqual(s);
    // largest remainders: 7 of 600/300/100 → 4.2, 2.1, 0.7 → 4, 2, 1
    expect(perClass(stratifiedSample(1000, sorted, 7, 1))).toEqual([4, 2, 1]);
    expect(stratifiedSample(1000, sorted, 5000, 1)).toHaveLength(1000);
  });

  it('the reference set is held out of the classifier set when the dataset allows, and named by a hash', () => {
    const big = evalSplit(1000, sorted, { maxReal: 300, maxTrain: 500, seed: 0 });
    expect(big.heldOut).toBe(true);
    expect(big.real.filter((i) => big.train.includes(i))).toEqual([]);
    expect(perClass(big.real)).toEqual([180, 90, 30]);
    expect(big.realHash).toBe(indexHash([...big.real].reverse()));
    expect(big.realHash).toMatch(/^[0-9a-f]{16}$/);
    const small = evalSplit(1000, sorted, { maxReal: 900, maxTrain: 500, seed: 0 });
    expect(small.heldOut).toBe(false);
    expect(small.train).toHaveLength(500);
  });
});
