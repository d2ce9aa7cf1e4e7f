import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/api';
import { isNotOlder } from './run-summary';

const run = (state: RunSummary['state'], rev?: number): RunSummary => ({ id: 'r', dataset: 'd', state, step: 0, steps: 10, createdAt: '', config: {}, ...(rev === undefined ? {} : { rev }) });

describe('isNotOlder', () => {
  it('keeps a newer status event over a late control reply', () => {
    expect(isNotOlder(run('paused', 5), run('running', 6))).toBe(false);
    expect(isNotOlder(run('running', 6), run('paused', 5))).toBe(true);
  });
  it('accepts equal revisions, unknown runs, and treats a missing revision as the oldest', () => {
    expect(isNotOlder(run('paused', 5), run('paused', 5))).toBe(true);
    expect(isNotOlder(run('running'), undefined)).toBe(true);
    expect(isNotOlder(run('running'), run('paused', 1))).toBe(false);
    expect(isNotOlder(run('running', 1), run('paused'))).toBe(true);
  });
});
