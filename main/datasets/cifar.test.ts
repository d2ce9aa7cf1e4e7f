import { describe, expect, it } from 'vitest';
import { cifarToBlock } from './cifar';

const refused = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { reason?: string }).reason;
  }
  return undefined;
};

describe('CIFAR-10 batches', () => {
  it('refuses sizes that are not whole records, and out-of-range labels', () => {
    expect(refused(() => cifarToBlock('b', new Uint8Array(0)))).toBe('empty');
    expect(refused(() => cifarToBlock('b', new Uint8Array(100)))).toBe('shape-mismatch');
    expect(refused(() => cifarToBlock('b', new Uint8Array(3073 + 10)))).toBe('truncated');
    const bad = new Uint8Array(3073);
    bad[0] = 200;
    expect(refused(() => cifarToBlock('b', bad))).toBe('corrupt');
    expect(cifarToBlock('b', new Uint8Array(2 * 3073))).toMatchObject({ count: 2, width: 32, channels: 3 });
  });
});
