import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { parseConfig } from '../../../shared/config';
import { Trainer } from './trainer';
import { dataSource } from './data';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint';
import { Rng } from './rng';
import { generatorFromCheckpoint } from '../export/generator';

beforeAll(async () => {
  await initBackend();
});

const images = () => {
  const rng = new Rng(5);
  const count = 16;
  return dataSource({ kind: 'images', id: 't', width: 28, height: 28, channels: 1, count, pixels: Uint8Array.from({ length: count * 784 }, () => rng.int(256)), classes: ['x'] });
};

/** G on these latents the way sample()/generate() run it (EMA weights, inference BN). */
const infer = (tr: Trainer, z: tf.Tensor) => (tr as unknown as { withEma(f: () => tf.Tensor): tf.Tensor }).withEma(() => tr.G.apply(z));

describe('EMA sampling with standing BN statistics', () => {
  const config = parseConfig({ arch: 'dcgan28', batch: 4, zdim: 8, d: { ch: 4 }, g: { ch: 4 }, seed: 2, ema: { enabled: true, decay: 0.5 } });

  it('same latent → same output whatever else is in the batch; checkpointed; export uses them', async () => {
    const tr = new Trainer(config, images());
    for (let i = 0; i < 3; i++) tr.trainStep();
    const z1 = tf.randomNormal([1, 8], 0, 1, 'float32', 1);
    const batchA = tf.concat([z1, tf.randomNormal([5, 8], 0, 1, 'float32', 2)]);
    const batchB = tf.concat([z1, tf.mul(tf.randomNormal([2, 8], 0, 1, 'float32', 3), 3)]);
    const a = infer(tr, batchA), b = infer(tr, batchB);
    const first = (t: tf.Tensor) => Array.from(t.slice([0], [1]).dataSync());
    const fa = first(a);
    expect(first(b)).toEqual(fa);
    // the statistics follow the EMA: another step changes the output for that latent
    tr.trainStep();
    const c = infer(tr, batchA);
    expect(first(c)).not.toEqual(fa);
    // recorded in the checkpoint: a restored trainer samples the same, without recomputing
    const state = await tr.getState();
    expect(Object.keys(state.emaStats ?? {}).some((k) => k.endsWith('moving_mean'))).toBe(true);
    const bytes = encodeCheckpoint(state, { arch: 'dcgan28' });
    const tr2 = new Trainer(config, images());
    tr2.setState(decodeCheckpoint(bytes).state);
    expect(Array.from(infer(tr2, batchA).dataSync())).toEqual(Array.from(c.dataSync()));
    // export rebuilds G from the checkpoint with those statistics (eval-mode BN, not batch statistics)
    const run = generatorFromCheckpoint({ dir: 'x', config, bytes, checkpoint: { path: 'ck', step: 4 }, configFile: 'config.json', dataset: { shape: [28, 28, 1], classes: [] } });
    expect(run.usedEma && run.runningStats).toBe(true);
    const e = tf.tidy(() => run.G.apply(batchB));
    expect(first(e)).toEqual(first(c));
    run.dispose();
    tf.dispose([z1, batchA, batchB, a, b, c, e]);
    tr.dispose();
    tr2.dispose();
  });
});
