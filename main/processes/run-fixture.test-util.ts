/** Test support: a real run folder made by a few real training steps (for the export, CLI and services tests). */
import { parseConfig, type TrainConfig } from '../../shared/config';
import { Trainer } from '../engine/trainer/trainer';
import { dataSource } from '../engine/trainer/data';
import { encodeCheckpoint } from '../engine/trainer/checkpoint';
import { Rng } from '../engine/trainer/rng';
import { createRun, writeCheckpoint, writeSample } from '../runs/store';
import { imageGridPng, scatterPng } from '../imaging/png';

/** A run folder as the app writes it: config.json, checkpoints/step-<n>.ckpt (after a few real training steps), samples/step-<n>.png. */
export async function makeRun(
  workspace: string,
  kind: 'points' | 'images',
  cfg: Record<string, unknown> = {},
): Promise<{ dir: string; trainer: Trainer; config: TrainConfig }> {
  const config = parseConfig({ dataset: kind === 'points' ? 'builtin:ring8' : 'tiny', batch: 8, zdim: kind === 'points' ? 0 : 8, g: { ch: kind === 'points' ? 16 : 4 }, d: { ch: 4 }, seed: 5, ...cfg });
  const r = new Rng(1);
  const data =
    kind === 'points'
      ? dataSource({ kind: 'points', id: 'ring8', modes: [[1, 0], [0, 1], [-1, 0], [0, -1]], std: 0.05, classes: [], sample: (n, rnd) => Float32Array.from({ length: 2 * n }, () => rnd() * 2 - 1) })
      : dataSource({ kind: 'images', id: 'tiny', width: 28, height: 28, channels: 1, count: 8, pixels: Uint8Array.from({ length: 8 * 784 }, () => r.int(256)), labels: Uint8Array.from({ length: 8 }, (_, i) => i % 2), classes: ['even', 'odd'] });
  const run = await createRun(workspace, config);
  const trainer = new Trainer(config, data);
  for (let step = 1; step <= 2; step++) {
    trainer.trainStep();
    const s = await trainer.sample();
    await writeSample(run.dir, step, s.shape.length === 4 ? await imageGridPng(s.data, s.shape) : await scatterPng(s.data));
    await writeCheckpoint(run.dir, trainer.step, encodeCheckpoint(await trainer.getState(), { arch: trainer.spec.arch }));
  }
  return { dir: run.dir, trainer, config };
}
