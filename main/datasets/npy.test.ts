import { describe, expect, it } from 'vitest';
import { npyToBlock, parseNpy } from './npy';
import { npyDict, npyRaw } from './hostile-fixtures.test-util';
import { npy } from './test-fixtures';

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return { reason: (err as { reason?: string }).reason, message: (err as Error).message };
  }
  return undefined;
};

describe('npy headers that lie', () => {
  it('a huge shape over a few bytes of data is refused before the data is copied', () => {
    expect(refused(() => parseNpy(npyRaw(npyDict('|u1', [0x7fffffff, 28, 28]), 784)))).toMatchObject({ reason: 'too-large' });
    expect(refused(() => parseNpy(npyRaw(npyDict('|u1', [100_000, 28, 28]), 784)))).toMatchObject({ reason: 'truncated', message: /784 bytes.*needs 78400000/ });
  });

  it('a header length beyond the file is truncated; a shape smaller than the data is a mismatch', () => {
    expect(refused(() => parseNpy(npyRaw(npyDict('|u1', [1, 28, 28]), 0, 60_000)))).toMatchObject({ reason: 'truncated', message: /header claims 60000 bytes/ });
    expect(refused(() => parseNpy(npyRaw(npyDict('|u1', [1, 28, 28]), 2 * 784)))).toMatchObject({ reason: 'shape-mismatch' });
    expect(refused(() => parseNpy(npy([4, 28, 28], new Uint8Array(4 * 784)).subarray(0, 2000)))).toMatchObject({ reason: 'truncated' });
  });

  it('unknown dtypes, big-endian data and other format versions are unsupported; garbage shapes corrupt', () => {
    expect(refused(() => parseNpy(npyRaw(npyDict('<c16', [1, 2, 2]), 64)))).toMatchObject({ reason: 'unsupported', message: /dtype <c16/ });
    expect(refused(() => parseNpy(npyRaw(npyDict('>f4', [1, 2, 2]), 16)))).toMatchObject({ reason: 'unsupported' });
    const v9 = npyRaw(npyDict('|u1', [1, 2, 2]), 4);
    v9[6] = 9;
    expect(refused(() => parseNpy(v9))).toMatchObject({ reason: 'unsupported', message: /version 9/ });
    expect(refused(() => parseNpy(npyRaw("{'descr': '|u1', 'fortran_order': False, 'shape': (1e400, 2), }")))).toMatchObject({ reason: 'corrupt' });
  });

  it('zero sides and absurd counts are refused by shape; mismatched labels too', () => {
    expect(refused(() => npyToBlock('x', parseNpy(npyRaw(npyDict('|u1', [5, 0, 28])))))).toMatchObject({ reason: 'corrupt', message: /zero side/ });
    expect(refused(() => npyToBlock('x', parseNpy(npyRaw(npyDict('|u1', [0, 28, 28])))))).toMatchObject({ reason: 'empty' });
    const img = parseNpy(npy([2, 4, 4], new Uint8Array(32)));
    expect(refused(() => npyToBlock('x', img, parseNpy(npy([3], new Uint8Array(3)))))).toMatchObject({ reason: 'shape-mismatch' });
    expect(npyToBlock('x', img, parseNpy(npy([2], Uint8Array.from([0, 1]))))).toMatchObject({ count: 2, width: 4, classes: ['0', '1'] });
  });
});
