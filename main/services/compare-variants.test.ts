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
