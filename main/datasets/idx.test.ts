import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { idxToBlock, parseIdx } from './idx';
import { idxHeader } from './hostile-fixtures.test-util';
import { idx } from './test-fixtures';

const reason = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return { reason: (err as { reason?: string }).reason, message: (err as Error).message };
  }
  return undefined;
};

describe('IDX headers that lie', () => {
  it('2^31−1 images of 28×0 pixels (16 bytes) is refused before anything is sized by the count', () => {
    const bytes = idxHeader([0x7fffffff, 28, 0]);
    expect(bytes.length).toBe(16);
    expect(reason(() => idxToBlock('x-idx3-ubyte', bytes))).toEqual({ reason: 'corrupt', message: expect.stringMatching(/2147483647 images of 28×0.*zero side/) });
  });

  it('a count larger than the data present is truncated; more data than the header says is a mismatch', () => {
    expect(reason(() => idxToBlock('x', idxHeader([1_000_000, 28, 28], 784)))).toMatchObject({ reason: 'truncated', message: /784 bytes.*needs 784000000/ });
    expect(reason(() => parseIdx(idxHeader([1, 28, 28], 2 * 784)))).toMatchObject({ reason: 'shape-mismatch' });
  });

  it('absurd sides and counts are too large; wrong magic and dimension counts are bad magic', () => {
    expect(reason(() => idxToBlock('x', idxHeader([1, 20_000, 20_000], 0)))).toMatchObject({ reason: 'too-large' });
    expect(reason(() => idxToBlock('x', idxHeader([10_000_000, 1, 1], 10_000_000)))).toMatchObject({ reason: 'too-large', message: /image limit/ });
    expect(reason(() => parseIdx(idxHeader([1, 28, 28], 784, [0x50, 0x4b, 0x08])))).toMatchObject({ reason: 'bad-idx-magic' });
    expect(reason(() => parseIdx(idxHeader([1, 28, 28], 784, [0, 0, 0x0d])))).toMatchObject({ reason: 'bad-idx-magic', message: /element type/ });
    expect(reason(() => parseIdx(Buffer.from([0, 0, 8, 3, 0, 0])))).toMatchObject({ reason: 'truncated' });
  });

  it('labels must match the images in count and rank; a good pair still reads', () => {
    const imgs = idx([2, 28, 28], new Uint8Array(2 * 784));
    expect(reason(() => idxToBlock('x', imgs, idx([3], new Uint8Array(3))))).toMatchObject({ reason: 'shape-mismatch' });
    expect(reason(() => idxToBlock('x', imgs, idx([2, 1], new Uint8Array(2))))).toMatchObject({ reason: 'shape-mismatch' });
    expect(idxToBlock('x', gzipSync(imgs), idx([2], Uint8Array.from([1, 2])))).toMatchObject({ count: 2, width: 28, height: 28 });
  });
});
