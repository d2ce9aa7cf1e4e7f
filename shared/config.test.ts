import { describe, expect, it } from 'vitest';
import { DEFAULT_SN_UPDATE, defaultConfig, parseConfig, parseSet, PRESETS, RESNET_PRESET, resolveForData, resolveOptim } from './config';
import { TrainerCommand, TrainerEvent } from './events';

describe('TrainConfig', () => {
  it('fills defaults', () => {
    const c = defaultConfig();
    expect(c.d.norm).toBe('sn');
    expect(c.sn.iters).toBe(1);
    expect(c.loss).toBe('auto');
    expect(c.sn.warmup).toBe(15);
    expect(c.batch).toBe(64);
    expect(c.ema.enabled).toBe(false);
  });

  it('has the paper presets A–F', () => {
    expect(PRESETS.A).toEqual({ lr: 1e-4, beta1: 0.5, beta2: 0.9, ndis: 5 });
    expect(PRESETS.F).toEqual({ lr: 1e-3, beta1: 0.9, beta2: 0.999, ndis: 5 });
    expect(resolveOptim(parseConfig({ preset: 'D' }))).toEqual({ lr: 1e-3, beta1: 0.5, beta2: 0.9, ndis: 5 });
    expect(resolveOptim(parseConfig({ preset: 'D', lr: 5e-4, ndis: 2 }))).toEqual({ lr: 5e-4, beta1: 0.5, beta2: 0.9, ndis: 2 });
  });

  it('resolves auto choices by data kind', () => {
    const c = defaultConfig();
    expect(resolveForData(c, 'points')).toMatchObject({ loss: 'ns', preset: 'D', zdim: 8 });
    expect(resolveForData(c, 'images')).toMatchObject({ loss: 'hinge', preset: 'C', zdim: 128 });
    expect(resolveForData(parseConfig({ loss: 'wgan', zdim: 32, preset: 'A' }), 'points')).toMatchObject({ loss: 'wgan', preset: 'A', zdim: 32 });
  });

  it('resnet32 with preset auto gets the paper\'s ResNet recipe; the standard CNN keeps C', () => {
    const r = resolveForData(parseConfig({ arch: 'resnet32', batch: 64 }), 'images');
    expect(r).toMatchObject({ preset: 'resnet', loss: 'hinge', lrDecay: 'linear', genBatch: 128 });
    expect(resolveOptim(r)).toEqual({ lr: 2e-4, beta1: 0, beta2: 0.9, ndis: 5 });
    expect(resolveForData(parseConfig({ arch: 'cnn32' }), 'images')).toMatchObject({ preset: 'C', lrDecay: 'none', genBatch: 64 });
    // explicit choices win over the recipe
    expect(resolveForData(parseConfig({ arch: 'resnet32', lrDecay: 'none', genBatch: 64 }), 'images')).toMatchObject({ preset: 'resnet', lrDecay: 'none', genBatch: 64 });
    expect(resolveForData(parseConfig({ preset: 'resnet' }), 'points')).toMatchObject({ lrDecay: 'linear', genBatch: 128 });
    expect(RESNET_PRESET).toMatchObject({ lr: 2e-4, beta1: 0, beta2: 0.9, ndis: 5 });
    expect(Object.keys(PRESETS)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('sn.update defaults and choices', () => {
    expect(defaultConfig().sn.update).toBe(DEFAULT_SN_UPDATE);
    expect(parseConfig({ sn: { update: 'per-forward' } }).sn.update).toBe('per-forward');
    expect(() => parseConfig({ sn: { update: 'sometimes' } })).toThrow();
  });

  it('rejects unknown keys and bad values', () => {
    expect(() => parseConfig({ nope: 1 })).toThrow(/invalid config/);
    expect(() => parseConfig({ d: { norm: 'weird' } })).toThrow(/invalid config/);
    expect(() => parseConfig({ sn: { iters: 11 } })).toThrow();
    expect(() => parseConfig({ batch: 0 })).toThrow();
  });

  it('parseSet handles dotted keys and value types', () => {
    let o: Record<string, unknown> = {};
    o = parseSet(o, 'd.norm=sn+gp');
    o = parseSet(o, 'sn.iters=3');
    o = parseSet(o, 'lr=2e-4');
    o = parseSet(o, 'ema.enabled=true');
    o = parseSet(o, 'preset=A');
    o = parseSet(o, 'dataset=builtin:ring8');
    const c = parseConfig(o);
    expect(c.d.norm).toBe('sn+gp');
    expect(c.sn.iters).toBe(3);
    expect(c.lr).toBe(2e-4);
    expect(c.ema.enabled).toBe(true);
    expect(c.preset).toBe('A');
    expect(c.dataset).toBe('builtin:ring8');
    expect(() => parseSet({}, 'novalue')).toThrow(/key=value/);
    expect(() => parseSet({}, '__proto__.x=1')).toThrow();
    expect(() => parseSet({ lr: 1 }, 'lr.x=1')).toThrow(/not an object/);
  });
});

describe('trainer messages', () => {
  it('validates events and commands', () => {
    expect(TrainerEvent.safeParse({ type: 'progress', step: 1, steps: 10, stepsPerSec: 2, etaSec: 4 }).success).toBe(true);
    expect(TrainerEvent.safeParse({ type: 'metrics', step: 1, dLoss: 1, gLoss: 1, dReal: 0, dFake: 0, layers: [{ name: 'D/fc1', sigmaRaw: 2, sigmaBar: 1, gradNorm: 0.1 }], lipschitzBound: 1 }).success).toBe(true);
    expect(TrainerEvent.safeParse({ type: 'error', message: 'x', code: 'non_finite', step: 3, layer: 'D/fc1' }).success).toBe(true);
    expect(TrainerEvent.safeParse({ type: 'progress', step: -1 }).success).toBe(false);
    expect(TrainerCommand.parse({ type: 'start', runDir: '/r', workspace: '/w' })).toMatchObject({ resume: false, paused: false });
    expect(TrainerCommand.safeParse({ type: 'jump' }).success).toBe(false);
  });
});
