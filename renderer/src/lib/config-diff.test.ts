import { describe, expect, it } from 'vitest';
import { differingKeys, flatten, unflatten } from './config-diff';

describe('config diff', () => {
  it('flattens nested objects to dotted keys, arrays stay values', () => {
    expect(flatten({ a: 1, d: { norm: 'sn' }, l: [1, 2] })).toEqual({ a: 1, 'd.norm': 'sn', l: [1, 2] });
  });
  it('unflatten inverts flatten', () => {
    const c = { lr: 2e-4, d: { norm: 'sn' }, sn: { iters: 1 } };
    expect(unflatten(flatten(c))).toEqual(c);
  });
  it('lists only differing keys, including missing ones', () => {
    const a = { lr: 1e-4, loss: 'hinge', d: { norm: 'sn' }, seed: 1 };
    const b = { lr: 1e-4, loss: 'hinge', d: { norm: 'gp' }, seed: 1, extra: true };
    expect(differingKeys([a, b])).toEqual(['d.norm', 'extra']);
    expect(differingKeys([a])).toEqual([]);
    expect(differingKeys([a, { ...a }])).toEqual([]);
  });
});
