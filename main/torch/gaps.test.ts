import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import { pytorchGaps, writePackage } from './package';

describe('what the PyTorch package refuses', () => {
  it('lists the app settings its engine does not implement, and writes nothing for them', async () => {
    expect(pytorchGaps(parseConfig({ dataset: 'builtin:ring8' }))).toEqual([]);
    expect(pytorchGaps(parseConfig({ dataset: 'cifar', arch: 'cnn32' }))).toEqual([]);
    const all = pytorchGaps(parseConfig({ dataset: 'cifar', arch: 'resnet32', sn: { update: 'per-forward' }, dequantize: true }));
    expect(all.join(' | ')).toMatch(/preset 'resnet'.*genBatch 128.*sn.update 'per-forward'.*dequantize/);
    // augmentation asked for by name is refused; 'auto' (the default) trains without it, as config.json says
    expect(pytorchGaps(parseConfig({ dataset: 'x', aug: { mode: 'ada' } }))).toEqual(["aug.mode 'ada' (augmentation)"]);
    expect(pytorchGaps(parseConfig({ dataset: 'x', aug: { mode: 'auto' } }))).toEqual([]);
    // an explicit preset on the ResNet is fine
    expect(pytorchGaps(parseConfig({ dataset: 'cifar', arch: 'resnet32', preset: 'C' }))).toEqual([]);
    await expect(writePackage({ config: parseConfig({ dataset: 'builtin:ring8', dequantize: true }), workspace: '/nonexistent', out: '/nonexistent/pkg' })).rejects.toThrow(/does not implement dequantize/);
  });
});
