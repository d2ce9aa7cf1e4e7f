/**
 * Trainer process entry (child_process.fork; later Electron utilityProcess).
 * Commands arrive via process.on('message') and are validated; events leave via process.send.
 * Nothing thrown here escapes: failures become error events and a 'failed' status.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainerCommand, type TrainerEvent } from '../../shared/events';
import { AUG_MODES, BACKENDS, SMALL_DATASET, type TrainConfig } from '../../shared/config';
import { GAUGE_MIN_HELD_OUT } from '../../shared/small-data';
import { initBackend } from '../engine/backend';
import { loadTrainingData } from '../datasets/load';
import { modeCoverage } from '../../shared/toys2d';
import { openRun, latestCheckpoint, readCheckpoint, readMetrics, sweepTempFiles, truncateMetrics, updateStatus } from '../runs/store';
import { fileSink } from '../runs/sink';
import { folderCache } from '../runs/cache';
import { dataSource, type TrainingDataLike } from '../engine/trainer/data';
import { Trainer } from '../engine/trainer/trainer';
import { TrainLoop } from '../engine/trainer/loop';
import { decodeCheckpoint } from '../engine/trainer/checkpoint';
import { SpectraRunner, type KernelSource } from '../engine/trainer/spectra-runner';
import { spectraWorkerEntry } from './entries';
import { createImageEvaluator, type ImageEvaluator } from '../engine/metrics/image-eval';

let loop: TrainLoop | null = null;

/**
 * A resumed run goes on with the augmentation it trained with. Its config may say 'auto', which later versions
 * decide differently (DiffAugment under 5,000 images until 2026-12, ADA since): the mode its metrics logged wins.
 */
async function keepRunAugmentation(runDir: string, config: TrainConfig): Promise<{ config: TrainConfig; kept: boolean }> {
  if (config.aug.mode !== 'auto') return { config, kept: false };
  const logged = (await readMetrics(runDir)).map((e) => e.augMode).filter((m) => AUG_MODES.some((a) => a === m)).pop();
  return logged ? { config: { ...config, aug: { ...config.aug, mode: logged as TrainConfig['aug']['mode'] } }, kept: true } : { config, kept: false };
}

/** What augmentation and gauge this run got, and why (the 'auto' choices are decided from the dataset's size). */
function smallDataNote(tr: Trainer, count: number, kept: boolean): string {
  const a = tr.aug;
  const aug = a.mode === 'off' ? 'augmentation off' : `${a.mode === 'ada' ? 'ADA' : 'DiffAugment'} (${a.ops.join(', ')})`;
  const why = kept ? ' (auto, as this run started with it)' : tr.config.aug.mode === 'auto' ? ` (auto: ${count} images ${count < SMALL_DATASET ? '<' : '≥'} ${SMALL_DATASET})` : '';
  const held = tr.data.heldOut;
  const gauge = held ? `overfitting gauge on ${held.count} held-out images, training on ${tr.data.count}` : `no overfitting gauge (${tr.config.heldOut === 0 ? 'heldOut=0' : `${count} images are too few to hold out ${GAUGE_MIN_HELD_OUT}`})`;
  return `${aug}${why}; ${gauge}`;
}
let starting = false;
let pendingStop = false;

function send(e: TrainerEvent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(e, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

function fail(message: string, code: string, step?: number): Promise<void> {
  return send({ type: 'error', message, code, ...(step !== undefined ? { step } : {}) });
}

async function start(cmd: Extract<TrainerCommand, { type: 'start' }>): Promise<void> {
  if (loop || starting) return fail('trainer already started', 'already_started');
  starting = true;
  let runDir = cmd.runDir;
  try {
    const run = await openRun(runDir);
    runDir = run.dir;
    // This process is the run's only writer now: what an earlier, crashed one left half-written goes.
    await sweepTempFiles(runDir);
    const { config, kept } = cmd.resume ? await keepRunAugmentation(runDir, run.config) : { config: run.config, kept: false };
    const envBackend = BACKENDS.find((b) => b === process.env.SNGAN_BACKEND);
    const force = config.backend !== 'auto' ? config.backend : envBackend && envBackend !== 'auto' ? envBackend : undefined;
    const backend = await initBackend({ ...(force ? { force } : {}), wasmThreads: config.threads || 'auto' });
    await send({ type: 'status', state: 'created', step: 0, backend: backend.name, runDir, message: backend.reason });
    await updateStatus(runDir, { backend: backend.name, steps: cmd.steps ?? config.steps });
    const td = (await loadTrainingData(config.dataset, cmd.workspace)) as TrainingDataLike;
    // images: carve the gauge's held-out slice with the run's seed (and refuse a dataset too small to train on)
    const data = dataSource(td, td.kind === 'images' ? { heldOut: config.heldOut, seed: config.seed, batch: config.batch } : undefined);
    const trainer = new Trainer(config, data);
    if (td.kind === 'images') await send({ type: 'status', state: 'created', step: 0, message: smallDataNote(trainer, td.count, kept) });
    const restore = (bytes: Uint8Array) => trainer.setState(decodeCheckpoint(bytes).state);
    if (cmd.resume) {
      const ck = await latestCheckpoint(runDir);
      if (ck) {
        for (const note of restore(await readCheckpoint(ck.path))) await send({ type: 'status', state: 'created', step: ck.step, message: note });
        await truncateMetrics(runDir, ck.step);
      }
    }
    const steps = cmd.steps ?? config.steps;
    // exact spectra of every D and G kernel, computed in a worker thread while training goes on
    const spectra = config.diagEvery > 0 ? new SpectraRunner({ worker: spectraWorkerEntry() }) : null;
    const kernelSources = (): KernelSource[] =>
      [trainer.D.params, trainer.G.params].flatMap((p) => p.kernels.map((k) => ({ name: k.name, kind: k.kind, tensor: p.vars.get(k.kernel)! })));
    let images: ImageEvaluator | null = null;
    if (config.evalEvery > 0 && td.kind === 'images') {
      images = createImageEvaluator({
        cache: folderCache(cmd.workspace),
        data: td,
        generate: (n) => trainer.generate(n, 5),
        samples: config.evalSamples,
        seed: config.seed,
        onClassifier: (c) =>
          void send({ type: 'status', state: 'running', step: trainer.step, message: `eval feature classifier (not Inception) ${c.cached ? 'loaded from cache' : 'trained'}: train accuracy ${(100 * c.trainAccuracy).toFixed(1)} %` }),
      });
    }
    loop = new TrainLoop({
      trainer,
      steps,
      sink: fileSink(runDir, config.keepCheckpoints),
      emit: (e) => void send(e),
      evalPoints: data.kind === 'points' && data.modes ? (pts) => {
        const m = modeCoverage(pts, data.modes!, data.std!);
        return { modesCovered: m.modesCovered, modesCoveredAny: m.modesCoveredAny, modesTotal: data.modes!.length, highQualityFraction: m.highQualityFraction, klToUniform: m.klToUniform, samples: pts.length / 2 };
      } : undefined,
      startPaused: cmd.paused,
      restore,
      spectra: spectra ? () => spectra.run(kernelSources()) : undefined,
      evalImages: images ? (step) => images.evaluate(step) : undefined,
    });
    starting = false;
    if (pendingStop) loop.stop();
    const state = await loop.run();
    await spectra?.dispose();
    images?.dispose();
    trainer.dispose();
    await send({ type: 'status', state, step: trainer.step, message: `tensors alive: ${tf.memory().numTensors}` });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await fail(message, 'start_failed');
    await updateStatus(runDir, { state: 'failed', error: message }).catch(() => {});
    await send({ type: 'status', state: 'failed', message });
  } finally {
    starting = false;
    setTimeout(() => process.exit(0), 20);
  }
}

function onMessage(raw: unknown): void {
  const parsed = TrainerCommand.safeParse(raw);
  if (!parsed.success) {
    void fail(`invalid command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, 'bad_command');
    return;
  }
  const cmd = parsed.data;
  switch (cmd.type) {
    case 'start':
      void start(cmd);
      return;
    case 'stop':
      if (loop) loop.stop();
      else if (starting) pendingStop = true;
      else setTimeout(() => process.exit(0), 20);
      return;
    case 'pause':
      loop?.pause();
      return;
    case 'resume':
      loop?.resume();
      return;
    case 'stepOnce':
      loop?.stepOnce();
      return;
  }
}

process.on('message', (m) => {
  try {
    onMessage(m);
  } catch (err) {
    void fail(err instanceof Error ? err.message : String(err), 'internal');
  }
});
process.on('uncaughtException', (err) => void fail(err.message, 'uncaught'));
process.on('unhandledRejection', (err) => void fail(err instanceof Error ? err.message : String(err), 'unhandled'));
// The host going away ends the trainer (checkpoints already on disk stay valid).
process.on('disconnect', () => {
  if (loop) loop.stop();
  else process.exit(0);
});
void send({ type: 'status', state: 'created', message: 'worker ready' });
