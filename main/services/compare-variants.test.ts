import { describe, expect, it } from 'vitest';
import { buildVariants, variantConfigs } from './compare-variants';

describe('augmentation axis', () => {
  it('labels none / DiffAugment / ADA and sets aug.mode', () => {
    const v = buildVariants({ norms: ['sn'], augModes: ['off', 'diffaugment', 'ada'] });
    expect(v).toEqual([
      { label: 'sn/none', sets: ['d.norm=sn', 'aug.mode=off'] },
      { label: 'sn/DiffAugment', sets: ['d.norm=sn', 'aug.mode=diffaugment'] },
      { label: 'sn/ADA', sets: ['d.norm=sn', 'aug.mode=ada'] },
    ]);
    expect(variantConfigs({ dataset: 'x', aug: { policy: 'translation' } }, v).map((c) => [c.aug.mode, c.aug.policy])).toEqual([
      ['off', 'translation'],
      ['diffaugment', 'translation'],
      ['ada', 'translation'],
    ]);
  });
});

describe('sn.update axis', () => {
  it('varies only the norms that use SN, after sn.iters in the label', () => {
    const v = buildVariants({ presets: ['D'], norms: ['sn', 'gp', 'none'], snUpdates: ['per-step', 'per-forward'] });
    expect(v).toEqual([
      { label: 'D/sn/per-step', sets: ['preset=D', 'd.norm=sn', 'sn.update=per-step'] },
      { label: 'D/sn/per-forward', sets: ['preset=D', 'd.norm=sn', 'sn.update=per-forward'] },
      { label: 'D/gp', sets: ['preset=D', 'd.norm=gp'] },
      { label: 'D/none', sets: ['preset=D', 'd.norm=none'] },
    ]);
    expect(variantConfigs({ dataset: 'x' }, v).map((c) => c.sn.update)).toEqual(['per-step', 'per-forward', 'per-step', 'per-step']);
    expect(buildVariants({ norms: ['sn'], snIters: [1, 5], snUpdates: ['per-forward'] }).map((x) => x.label)).toEqual(['sn/it1/per-forward', 'sn/it5/per-forward']);
  });
});
