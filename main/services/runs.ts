/** runs.* calls: create and start a run (one trainer process each), control it, read its metrics and samples. */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { readRunFiles } from '../runs/read-run';
import { pytorchConfig, pytorchGaps, writePackage } from '../torch/package';
import { appVersion } from './app-version';
import { ApiError, type RunSummary } from '../../shared/api';
import { parseConfig, type TrainConfig } from '../../shared/config';
import type { RunState, TrainerEvent } from '../../shared/events';
import { TOYS_2D } from '../../shared/toys2d';
import { datasetSizeProblem } from '../../shared/small-data';
import { addExternalRun, augmentedPath, createRun, updateStatus, listCheckpoints, listRuns, listSamples, openRunById, readMetrics, readSamplePoints, RunNotFoundError, samplePath, type RunInfo } from '../runs/store';
import { isBuiltin } from '../datasets/builtin';
import { getDataset } from '../datasets/store';
import { cliFailure, runCliJson } from './cli-child';
import { defaultBackendOf } from './settings';
import type { Handlers } from './dispatch';
import { nodeEntry } from '../processes/entries';
import type { ServiceContext } from './context';
import { TrainerHost } from './trainer-host';
import { TorchHost } from './pytorch-local';
import { runFollower } from './run-follow';

/** A run started through the service's own launch path (live events, Runs list), for callers that queue runs. */
export interface StartedRun {
  id: string;
  dir: string;
  /** Ask for a graceful stop (checkpoint, then exit); false when the trainer is already exiting. */
  stop(): boolean;
  /** Resolves with the final state once the trainer process has exited. */
  wait(): Promise<RunState>;
}

type RunHandlerNames = 'runs.list' | 'runs.create' | 'runs.get' | 'runs.control' | 'runs.add' | 'runs.package' | 'runs.metrics' | 'runs.sample' | 'runs.interpolate' | 'runs.delete';

/** Runs on the built-in 2D toys make points; everything else makes images. */
export function runKind(dataset: string): 'images' | 'points' {
  return dataset.startsWith('builtin:') && dataset.slice(8) in TOYS_2D ? 'points' : 'images';
}

const latentArg = (r: { cell: number } | { seed: number }) => ('cell' in r ? String(r.cell) : `seed:${r.seed}`);

let lastRev = 0;
/** A status revision: wall-clock ms, forced strictly increasing (so a restarted service keeps counting up). */
function nextRev(): number {
  lastRev = Math.max(Date.now(), lastRev + 1);
  return lastRev;
}

/** At most this many trainers at once: each is a process with its own tfjs and model (a queue is a study's job). */
export const MAX_TRAINERS = 4;
/** A step budget no one means: 10 million steps is months on a GPU. */
export const MAX_STEPS = 10_000_000;

/** What the folder says, unless no trainer is alive for a run it calls running or paused: then it was interrupted. */
function stateOf(run: RunInfo, live: boolean): RunState {
  // An external run's trainer lives elsewhere: its own status.json is the truth.
  if (!live && !run.external && (run.status.state === 'running' || run.status.state === 'paused')) return 'interrupted';
  return run.status.state;
}

/** PyTorch wrote the run's status last (this machine's engine or a package run elsewhere). */
const byPytorch = (run: RunInfo) => run.status.backend?.startsWith('pytorch') === true;

function summary(run: RunInfo, host?: TrainerHost | TorchHost, rev = 0): RunSummary {
  const live = host?.running;
  return {
    id: run.id,
    dataset: run.status.dataset,
    state: live ? host!.state : stateOf(run, false),
    step: live ? Math.max(host!.step, run.status.step) : run.status.step,
    steps: run.status.steps,
    createdAt: run.status.createdAt,
    error: run.status.error,
    config: run.config as unknown as Record<string, unknown>,
    ...(run.external ? { external: run.dir } : {}),
    ...(host instanceof TorchHost || byPytorch(run) ? { trainer: 'pytorch' as const } : {}),
    rev,
  };
}

export function runHandlers(ctx: ServiceContext): {
  handlers: Pick<Handlers, RunHandlerNames>;
  /** Create and launch a run from a validated config; `onEvent` sees its trainer events after they are forwarded. */
  startRun(config: TrainConfig, onEvent?: (e: TrainerEvent) => void): Promise<StartedRun>;
  close(): Promise<void>;
} {
  const hosts = new Map<string, TrainerHost | TorchHost>();
  /** The revision of each run's newest status event (see RunSummary.rev). */
  const revs = new Map<string, number>();
  const summaryOf = (run: RunInfo): RunSummary => summary(run, hosts.get(run.id), revs.get(run.id) ?? 0);
  /** Runs another engine writes (elsewhere, or PyTorch on this machine), followed through their folders. */
  const follower = runFollower(ctx, (r) => summary(r, hosts.get(r.id), nextRev()));
  // Runs registered earlier and still growing are followed from the start.
  void listRuns(ctx.workspace)
    .then((all) => all.filter((r) => r.external).forEach((r) => follower.follow(r)))
    .catch(() => undefined);

  async function requireRun(id: string): Promise<RunInfo> {
    try {
      return await openRunById(ctx.workspace, id);
    } catch (e) {
      if (e instanceof RunNotFoundError) throw new ApiError('not_found', e.message);
      throw e;
    }
  }

  /** Refuse, before any folder or process exists, a run that could not start or would swamp the machine. */
  async function checkStartable(config: TrainConfig): Promise<void> {
    if (config.steps > MAX_STEPS) throw new ApiError('invalid_config', `steps: at most ${MAX_STEPS.toLocaleString('en')} (got ${config.steps})`);
    if (!isBuiltin(config.dataset)) {
      const m = await getDataset(ctx.workspace, config.dataset).catch(() => {
        throw new ApiError('not_found', `No dataset '${config.dataset}' in the workspace: import it first`);
      });
      const why = datasetSizeProblem(m.count, config);
      if (why) throw new ApiError('dataset_too_small', `Dataset '${config.dataset}': ${why}`);
    }
    const live = [...hosts.values()].filter((h) => h.running).length;
    if (live >= MAX_TRAINERS) throw new ApiError('busy', `${live} runs are training already (at most ${MAX_TRAINERS} at once): stop or wait for one`);
  }

  function forward(runId: string, e: TrainerEvent): void {
    switch (e.type) {
      case 'progress':
        ctx.events.emit('run.progress', { runId, step: e.step, steps: e.steps, stepsPerSec: e.stepsPerSec, etaSec: e.etaSec });
        break;
      case 'metrics':
        ctx.events.emit('run.metrics', { runId, metrics: e as unknown as Record<string, unknown> });
        break;
      case 'sample':
        ctx.events.emit('run.sample', { runId, step: e.step });
        if (e.eval) ctx.events.emit('run.metrics', { runId, metrics: { step: e.step, ...e.eval } });
        break;
      case 'error':
        ctx.events.emit('run.error', { runId, message: e.message, code: e.code, step: e.step, layer: e.layer });
        break;
      case 'spectra':
      case 'eval':
        // charts read these rows like metrics rows (renderer/src/lib/metrics.ts)
        ctx.events.emit('run.metrics', { runId, metrics: e as unknown as Record<string, unknown> });
        break;
      case 'alert': {
        const { type: _type, ...alert } = e;
        ctx.events.emit('run.alert', { runId, ...alert });
        break;
      }
      case 'status': {
        // The revision is taken now, in event order: the file read below may finish out of order.
        const rev = nextRev();
        revs.set(runId, rev);
        void openRunById(ctx.workspace, runId)
          .then((run) => ctx.events.emit('run.status', { ...summary(run, hosts.get(runId), rev), state: e.state, step: e.step ?? run.status.step, error: e.state === 'failed' ? (e.message ?? run.status.error) : run.status.error }))
          .catch(() => undefined);
        break;
      }
      default:
        break;
    }
  }

  async function launch(run: RunInfo, resume: boolean, onEvent?: (e: TrainerEvent) => void): Promise<TrainerHost> {
    const backend = ctx.backend ?? defaultBackendOf(ctx.settings);
    const host = new TrainerHost({
      runDir: run.dir,
      workspace: ctx.workspace,
      resume,
      workerPath: nodeEntry('worker').path,
      launch: ctx.launchTrainer,
      env: backend ? { SNGAN_BACKEND: backend } : undefined,
      onEvent: (e) => {
        forward(run.id, e);
        onEvent?.(e);
      },
    });
    hosts.set(run.id, host);
    await host.start();
    void host.wait().then(() => {
      if (hosts.get(run.id) === host) hosts.delete(run.id);
    });
    return host;
  }

  /** Train a run folder with the package's train.py in this machine's Python (a new run, or resume from its checkpoint). */
  async function launchTorch(run: RunInfo): Promise<TorchHost> {
    const py = await ctx.pytorch();
    if (!py.available || !py.python) throw new ApiError('pytorch_unavailable', `PyTorch is not available on this machine: ${py.reason ?? 'no Python with torch found'}`);
    const host = new TorchHost({ python: py.python, workspace: ctx.workspace, runDir: run.dir, dataset: run.config.dataset, device: py.cuda ? 'cuda' : 'cpu' });
    hosts.set(run.id, host);
    follower.follow(run, true);
    try {
      await host.start();
    } catch (e) {
      hosts.delete(run.id);
      follower.stop(run.id);
      await updateStatus(run.dir, { state: 'failed', error: (e as Error).message }).catch(() => undefined);
      throw new ApiError('pytorch_failed', (e as Error).message);
    }
    ctx.events.emit('run.status', { ...summary(run, host, nextRev()), state: 'running' });
    void host.wait().then(async () => {
      await follower.finish(run.id);
      if (hosts.get(run.id) === host) hosts.delete(run.id);
      const after = await openRunById(ctx.workspace, run.id).catch(() => null);
      if (!after) return;
      if (after.status.state === 'failed') ctx.events.emit('run.error', { runId: run.id, message: after.status.error ?? 'PyTorch trainer failed', code: 'trainer_exited', step: after.status.step });
      ctx.events.emit('run.status', summary(after, undefined, nextRev()));
    });
    return host;
  }

  async function startRun(config: TrainConfig, onEvent?: (e: TrainerEvent) => void): Promise<StartedRun> {
    await checkStartable(config);
    const run = await createRun(ctx.workspace, config);
    const host = await launch(run, false, onEvent);
    return { id: run.id, dir: run.dir, stop: () => host.stop(), wait: () => host.wait() };
  }

  const handlers: Pick<Handlers, RunHandlerNames> = {
    'runs.list': async () => (await listRuns(ctx.workspace)).map(summaryOf),
    'runs.create': async ({ dataset, config, trainer }) => {
      let parsed;
      try {
        parsed = parseConfig({ ...(config ?? {}), dataset });
      } catch (err) {
        throw new ApiError('invalid_config', (err as Error).message);
      }
      if (trainer === 'pytorch') {
        const gaps = pytorchGaps(parsed);
        if (gaps.length) throw new ApiError('unsupported', `The PyTorch engine does not implement ${gaps.join('; ')} yet: train this recipe with the app's engine`);
        // what train.py trains (no augmentation, no held-out slice), written down in the run's config.json
        parsed = pytorchConfig(parsed);
      }
      await checkStartable(parsed);
      if (trainer === 'pytorch') {
        const py = await ctx.pytorch();
        if (!py.available) throw new ApiError('pytorch_unavailable', `PyTorch is not available on this machine: ${py.reason ?? 'no Python with torch found'}`);
      }
      const run = await createRun(ctx.workspace, parsed);
      const host = trainer === 'pytorch' ? await launchTorch(run) : await launch(run, false);
      return { ...summary(run, host, 0), state: 'running' };
    },
    'runs.get': async ({ id }) => {
      const run = await requireRun(id);
      const checkpoints = (await listCheckpoints(run.dir)).map((c) => c.step);
      return { ...summaryOf(run), samples: await listSamples(run.dir), checkpoints, kind: runKind(run.config.dataset) };
    },
    'runs.control': async ({ id, command }) => {
      const run = await requireRun(id);
      const host = hosts.get(id);
      if (!host?.running) {
        const state = stateOf(run, false);
        if (command === 'resume' && ['stopped', 'failed', 'created', 'interrupted'].includes(state)) {
          // A run whose process is gone continues from its last checkpoint (the trainer sweeps a crashed writer's
          // temp files): a PyTorch run of this machine's on PyTorch, any other (one trained elsewhere too) here.
          const live = [...hosts.values()].filter((h) => h.running).length;
          if (live >= MAX_TRAINERS) throw new ApiError('busy', `${live} runs are training already (at most ${MAX_TRAINERS} at once): stop or wait for one`);
          await (byPytorch(run) && !run.external ? launchTorch(run) : launch(run, true));
          return { ...summaryOf(run), state: 'running' };
        }
        throw new ApiError('not_running', `Run '${id}' is not running (it is ${state})`);
      }
      if (host instanceof TorchHost) {
        if (command !== 'stop') throw new ApiError('unsupported', `Run '${id}' trains in PyTorch, which cannot ${command === 'pause' ? 'pause' : 'step once'}: Stop checkpoints it, Resume continues from there`);
        if (!host.stop()) throw new ApiError('not_running', `Run '${id}' did not accept 'stop': its trainer is exiting`);
        return summaryOf(run);
      }
      const sent = command === 'pause' ? host.pause() : command === 'resume' ? host.resume() : command === 'stop' ? host.stop() : host.stepOnce();
      if (!sent) throw new ApiError('not_running', `Run '${id}' did not accept '${command}': its trainer is exiting`);
      // The state here predates the command taking effect; its revision lets the client keep the newer event.
      return summaryOf(run);
    },
    'runs.add': async ({ path: dir }) => {
      if (!isAbsolute(dir)) throw new ApiError('invalid_request', `path: '${dir}' is not a full path`);
      let run: RunInfo;
      try {
        run = await addExternalRun(ctx.workspace, dir);
      } catch (e) {
        throw new ApiError('invalid_run', (e as Error).message);
      }
      follower.follow(run);
      return summaryOf(run);
    },
    'runs.package': async ({ dataset, config, out, run: fromRun, checkpoint }) => {
      if (!isAbsolute(out)) throw new ApiError('invalid_request', `out: '${out}' is not a full path`);
      let parsed: TrainConfig;
      let from: { run: string; step: number; bytes: Uint8Array } | undefined;
      if (fromRun) {
        // Continue a run: its own settings (overridden by `config`) and a checkpoint's bytes.
        const r = await requireRun(fromRun);
        const files = await readRunFiles(r.dir, { checkpoint }).catch((e: Error) => {
          throw new ApiError('not_found', e.message);
        });
        parsed = parseConfig({ ...(r.config as object), ...(config ?? {}), dataset: r.config.dataset });
        from = { run: fromRun, step: files.checkpoint.step, bytes: files.bytes };
      } else {
        try {
          parsed = parseConfig({ ...(config ?? {}), dataset });
        } catch (err) {
          throw new ApiError('invalid_config', (err as Error).message);
        }
      }
      if (!isBuiltin(parsed.dataset)) {
        await getDataset(ctx.workspace, parsed.dataset).catch(() => {
          throw new ApiError('not_found', `No dataset '${parsed.dataset}' in the workspace: import it first`);
        });
      }
      const r = await writePackage({ config: parsed, workspace: ctx.workspace, out, from, appVersion: appVersion() }).catch((e: Error) => {
        throw new ApiError('package_failed', `Could not write the package to ${out}: ${e.message}`);
      });
      const train = join(r.out, 'train.py');
      return {
        out: r.out,
        dataset: r.dataset,
        files: r.files.length,
        commands: [
          `python3 ${train}                               # one process (--device cpu|cuda)`,
          `python3 ${train} --nproc 4 --device cuda       # 4 ranks on one machine (DDP)`,
          `torchrun --nproc_per_node 4 ${train} --device cuda`,
          `sngan-studio runs add ${join(r.out, 'runs', '<id>')} --workspace ${ctx.workspace}   # or Open run folder… in the app`,
        ],
        ...(from ? { continues: { run: from.run, step: from.step } } : {}),
      };
    },
    'runs.metrics': async ({ id, since }) => readMetrics((await requireRun(id)).dir, since),
    'runs.sample': async ({ id, step, augmented }) => {
      const run = await requireRun(id);
      const png = await readFile((augmented ? augmentedPath : samplePath)(run.dir, step)).catch(() => undefined);
      if (!png) throw new ApiError('not_found', augmented ? `Run '${id}' has no augmented reals at step ${step} (written with each sample grid while augmentation is on)` : `Run '${id}' has no sample at step ${step}`);
      if (augmented) return { step, dataUrl: `data:image/png;base64,${png.toString('base64')}` };
      const points = runKind(run.config.dataset) === 'points' ? await readSamplePoints(run.dir, step) : null;
      return { step, dataUrl: `data:image/png;base64,${png.toString('base64')}`, ...(points ? { points } : {}) };
    },
    'runs.interpolate': async ({ id, checkpoint, a, b, n }) => {
      const run = await requireRun(id);
      if (runKind(run.config.dataset) === 'points') throw new ApiError('unsupported', `Run '${id}' makes 2D points: latent interpolation is for image generators`);
      const out = join(tmpdir(), `sngan-interp-${process.pid}-${randomBytes(6).toString('hex')}.png`);
      const args = ['sample', '--run', run.dir, '--interpolate', `${latentArg(a)},${latentArg(b)}`, '--steps', String(n), '--out', out, '--json'];
      if (checkpoint !== undefined) args.push('--checkpoint', String(checkpoint));
      try {
        const r = await runCliJson(args);
        const why = cliFailure(r);
        if (why) throw new ApiError('interpolate_failed', `Interpolation in run '${id}' failed: ${why}`);
        const png = await readFile(out);
        return { step: Number(r.json.step ?? 0), n, dataUrl: `data:image/png;base64,${png.toString('base64')}` };
      } finally {
        await rm(out, { force: true });
      }
    },
    'runs.delete': async ({ id }) => {
      const run = await requireRun(id);
      if (hosts.get(id)?.running) throw new ApiError('busy', `Run '${id}' is still running: stop it first`);
      if (run.external) throw new ApiError('unsupported', `Run '${id}' was trained elsewhere (${run.dir}): the app does not delete folders outside its workspace`);
      await rm(run.dir, { recursive: true, force: true });
      return { deleted: true };
    },
  };

  return {
    handlers,
    startRun,
    async close() {
      follower.close();
      // Stopping checkpoints each run; a trainer that does not exit in time is killed.
      await Promise.all(
        [...hosts.values()].map(async (h) => {
          h.stop();
          const timer = setTimeout(() => h.kill(), 15_000);
          await h.wait();
          clearTimeout(timer);
        }),
      );
    },
  };
}
