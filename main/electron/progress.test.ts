import { describe, expect, it } from 'vitest';
import { progressBar, RunTracker } from './progress';

describe('taskbar progress', () => {
  it('no live run: no bar', () => {
    expect(progressBar([])).toEqual({ value: -1, mode: 'none' });
    expect(progressBar([{ state: 'finished', step: 10, steps: 10 }])).toEqual({ value: -1, mode: 'none' });
  });

  it('fraction of steps done over all live runs, clamped', () => {
    expect(progressBar([{ state: 'running', step: 250, steps: 1000 }])).toEqual({ value: 0.25, mode: 'normal' });
    expect(progressBar([{ state: 'running', step: 100, steps: 100 }, { state: 'paused', step: 0, steps: 300 }])).toEqual({ value: 0.25, mode: 'normal' });
    expect(progressBar([{ state: 'running', step: 5000, steps: 1000 }]).value).toBe(1);
  });

  it('paused when every live run is paused; indeterminate while the step count is unknown', () => {
    expect(progressBar([{ state: 'paused', step: 1, steps: 2 }])).toEqual({ value: 0.5, mode: 'paused' });
    expect(progressBar([{ state: 'running', step: 0, steps: 0 }])).toEqual({ value: 2, mode: 'indeterminate' });
  });

  it('follows run events and reports only changes', () => {
    const t = new RunTracker();
    expect(t.onEvent('import.progress', {})).toBeUndefined();
    expect(t.onEvent('run.status', { id: 'a', state: 'running', step: 0, steps: 100 })).toEqual({ value: 0, mode: 'normal' });
    expect(t.onEvent('run.progress', { runId: 'a', step: 50, steps: 100 })).toEqual({ value: 0.5, mode: 'normal' });
    expect(t.onEvent('run.progress', { runId: 'a', step: 50, steps: 100 })).toBeUndefined();
    expect(t.active()).toEqual(['a']);
    expect(t.onEvent('run.status', { id: 'a', state: 'paused', step: 50, steps: 100 })).toEqual({ value: 0.5, mode: 'paused' });
    expect(t.onEvent('run.status', { id: 'a', state: 'stopped', step: 50, steps: 100 })).toEqual({ value: -1, mode: 'none' });
    expect(t.active()).toEqual([]);
  });
});
