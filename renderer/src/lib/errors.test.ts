import { describe, expect, it } from 'vitest';
import { describeError } from './errors';

describe('describeError', () => {
  it('uses the code for a hint', () => {
    const r = describeError({ code: 'not_found', message: 'no run x' }, 'open the run');
    expect(r).toEqual({ title: 'Could not open the run', detail: 'no run x', hint: expect.stringContaining('deleted') });
  });
  it('handles plain errors and non-errors', () => {
    expect(describeError(new Error('boom'), 'x').detail).toBe('boom');
    expect(describeError('weird', 'x').detail).toBe('weird');
    expect(describeError(new TypeError('Failed to fetch'), 'x').hint).toMatch(/server/);
  });
});
