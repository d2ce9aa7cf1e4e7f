import { describe, expect, it } from 'vitest';
import { configFields, defaultValues, fromConfig, presetHint, toConfig, validate } from './config-form';

describe('config form', () => {
  const fields = configFields();
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));

  it('generates fields from the schema with kinds, options and bounds', () => {
    expect(byKey['d.norm'].kind).toBe('enum');
    expect(byKey['d.norm'].options).toContain('sn+gp');
    expect(byKey['sn.iters']).toMatchObject({ kind: 'int', min: 1, max: 10 });
    // 'auto' lets the trainer pick by data kind (hinge for images, ns for 2D points).
    expect(byKey['loss'].options).toEqual(['hinge', 'ns', 'wgan', 'ls', 'auto']);
    expect(byKey['lr']).toMatchObject({ kind: 'number', optional: true });
    expect(byKey['batch']).toMatchObject({ kind: 'int', min: 1, max: 4096 });
    expect(byKey['dataset']).toBeUndefined();
    expect(fields[0].key).toBe('arch');
  });
  it('defaults validate and round-trip through toConfig/fromConfig', () => {
    const values = defaultValues();
    expect(validate(values, 'builtin:ring8')).toEqual({});
    const cfg = toConfig(values, 'builtin:ring8');
    expect(cfg).toMatchObject({ dataset: 'builtin:ring8', d: { norm: 'sn' }, sn: { iters: 1 } });
    expect(fromConfig(cfg).values).toEqual(values);
    expect(fromConfig(cfg).dataset).toBe('builtin:ring8');
  });
  it('reports inline errors keyed by dotted path', () => {
    const values = { ...defaultValues(), 'sn.iters': 11, batch: 0 };
    const errors = validate(values, 'builtin:ring8');
    expect(Object.keys(errors).sort()).toEqual(['batch', 'sn.iters']);
  });
  it('drops empty optional fields and hints the preset value', () => {
    const cfg = toConfig({ ...defaultValues(), lr: '', preset: 'A' });
    expect('lr' in cfg).toBe(false);
    expect(presetHint({ preset: 'A' }, 'ndis')).toBe('5');
    expect(presetHint({ preset: 'A' }, 'batch')).toBeUndefined();
  });
});
