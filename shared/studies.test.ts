import { describe, expect, it } from 'vitest';
import { calls, events } from './api';
import { countVariants, MAX_STUDY_VARIANTS, StudyStartRequest, studyAxes, studyBase } from './studies';

const Start = calls['studies.start'].req;

describe('studies.start request schema', () => {
  it('fills each kind’s default axes', () => {
    expect(studyAxes({ kind: 'stabilisers' })).toEqual({ norms: ['sn', 'gp', 'bn', 'none'] });
    expect(studyAxes({ kind: 'sn-iters' })).toEqual({ norms: ['sn'], snIters: [1, 5, 10] });
    expect(studyAxes({ kind: 'presets' })).toEqual({ norms: ['sn', 'gp', 'none'], presets: ['A', 'B', 'C', 'D', 'E', 'F'] });
    expect(countVariants(studyAxes({ kind: 'presets' }))).toBe(18);
    // the iteration sweep only multiplies norms that use SN
    expect(countVariants({ norms: ['sn', 'sn+gp', 'none'], snIters: [1, 5, 10] })).toBe(7);
  });

  it('accepts the three kinds with their own axes', () => {
    expect(Start.safeParse({ dataset: 'builtin:ring8', kind: 'stabilisers', norms: ['sn', 'none'], steps: 30 }).success).toBe(true);
    expect(Start.safeParse({ dataset: 'builtin:ring8', kind: 'sn-iters', snIters: [1, 10], steps: 30, config: { batch: 32 } }).success).toBe(true);
    expect(Start.safeParse({ dataset: 'builtin:ring8', kind: 'presets', presets: ['A', 'F'], norms: ['sn'], steps: 30 }).success).toBe(true);
  });

  it('rejects unknown values, repeats, axes foreign to the kind, too many runs, extra keys', () => {
    const bad = [
      { dataset: 'builtin:ring8', kind: 'stabilisers', norms: ['sn', 'bogus'], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'stabilisers', norms: ['sn', 'sn'], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'stabilisers', norms: [], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'stabilisers', presets: ['A'], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'sn-iters', snIters: [0, 5], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'sn-iters', snIters: [11], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'sn-iters', norms: ['gp'], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'presets', presets: ['G'], steps: 30 },
      { dataset: 'builtin:ring8', kind: 'presets', norms: ['sn', 'gp', 'bn', 'none', 'ln'], steps: 30 }, // 30 runs
      { dataset: 'builtin:ring8', kind: 'stabilisers', steps: 0 },
      { dataset: 'builtin:ring8', kind: 'stabilisers', steps: 1.5 },
      { dataset: 'builtin:ring8', kind: 'everything', steps: 30 },
      { dataset: 'builtin:ring8', kind: 'stabilisers', steps: 30, extra: 1 },
    ];
    for (const b of bad) expect(Start.safeParse(b).success, JSON.stringify(b)).toBe(false);
    const tooMany = Start.safeParse({ dataset: 'd', kind: 'presets', norms: ['sn', 'gp', 'bn', 'none', 'ln'], steps: 30 });
    expect(tooMany.success ? '' : tooMany.error.issues.map((i) => i.message).join()).toContain(`at most ${MAX_STUDY_VARIANTS}`);
  });

  it('study ids are checked like run ids', () => {
    expect(calls['studies.get'].req.safeParse({ id: 'study-20250101-000000-stabilisers-ab12' }).success).toBe(true);
    for (const id of ['../x', 'a/b', 'a\\b', '', 'x y']) expect(calls['studies.get'].req.safeParse({ id }).success).toBe(false);
    expect(calls['studies.cancel'].req.safeParse({ id: 'a/../b' }).success).toBe(false);
  });

  it('the progress event', () => {
    const E = events['study.progress'];
    expect(E.safeParse({ studyId: 's1', state: 'running', index: 0, total: 2, done: 0, phase: 'variant-start', label: 'sn', runId: 'r1' }).success).toBe(true);
    expect(E.safeParse({ studyId: 's1', state: 'done', total: 2, done: 2, phase: 'end' }).success).toBe(false);
  });
});

describe('a run config as a study base', () => {
  const config = { dataset: 'builtin:grid25', steps: 3000, batch: 128, lr: 5e-4, ndis: 2, d: { norm: 'gp', ch: 64 }, seed: 7 };
  it('drops what the study sets itself, and for presets the optimiser overrides', () => {
    expect(studyBase(config, 'stabilisers')).toEqual({ batch: 128, lr: 5e-4, ndis: 2, d: { norm: 'gp', ch: 64 }, seed: 7 });
    expect(studyBase(config, 'presets')).toEqual({ batch: 128, d: { norm: 'gp', ch: 64 }, seed: 7 });
  });
  it('a presets study refuses a base that would override every preset', () => {
    const r = StudyStartRequest.safeParse({ dataset: 'builtin:grid25', kind: 'presets', steps: 10, config: { lr: 1e-3, beta2: 0.9 } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/must not set lr, beta2/);
    expect(StudyStartRequest.safeParse({ dataset: 'builtin:grid25', kind: 'stabilisers', steps: 10, config: { lr: 1e-3 } }).success).toBe(true);
  });
});

describe('augmentation study (issue #18)', () => {
  it('varies aug.mode none / DiffAugment / ADA, one click', () => {
    expect(studyAxes({ kind: 'augmentation' })).toEqual({ norms: ['sn'], augModes: ['off', 'diffaugment', 'ada'] });
    expect(countVariants(studyAxes({ kind: 'augmentation' }))).toBe(3);
    expect(countVariants({ norms: ['sn', 'gp'], augModes: ['off', 'ada'] })).toBe(4);
    expect(Start.safeParse({ dataset: 'fashion', kind: 'augmentation', steps: 30 }).success).toBe(true);
    expect(Start.safeParse({ dataset: 'fashion', kind: 'augmentation', augModes: ['off', 'bogus'], steps: 30 }).success).toBe(false);
    expect(Start.safeParse({ dataset: 'fashion', kind: 'stabilisers', augModes: ['off'], steps: 30 }).success).toBe(false);
    expect(Start.safeParse({ dataset: 'fashion', kind: 'augmentation', presets: ['A'], steps: 30 }).success).toBe(false);
  });
});
