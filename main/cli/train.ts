/**
 * `sngan-studio train --dataset <ref> --workspace DIR --steps N [--config f.json] [--set k=v …] [--resume RUN_DIR] [--json]`
 * Creates (or reopens) a run folder and drives a trainer process; a progress bar on stderr, or JSON lines on stdout.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseConfig, parseSet, type TrainConfig } from '../../shared/config';
import type { TrainerEvent } from '../../shared/events';
import { createRun, openRun, writeConfig, updateStatus } from '../runs/store';
import { TrainerHost } from '../services/trainer-host';
import { isBuiltin } from '../datasets/builtin';
import { getDataset } from '../datasets/store';
import { datasetSizeProblem } from '../../shared/small-data';
import { parseFlags, UsageError } from './args';

export const trainHelp = `sngan-studio train --dataset <id|path|builtin:NAME> --workspace DIR --steps N [options]

Options:
  --config FILE      training config JSON (see shared/config.ts)
  --set KEY=VALUE    override one config key; repeatable (arch, d.norm, sn.iters, loss, preset, lr,
                     beta1, beta2, ndis, batch, zdim, seed, steps, sampleEvery, checkpointEvery, …)
  --resume RUN_DIR   continue a run from its newest checkpoint (--steps sets the new total)
  --json             JSON lines on stdout instead of a progress bar
  --backend NAME     force a tfjs backend: tensorflow-gpu, tensorflow, webgpu, wasm, cpu`;

function bar(step: number, steps: number, rate: number, eta: number, extra: string): string {
  const w = 28;
  const f = Math.round((w * step) / Math.max(1, steps));
  const etaS = eta > 0 ? `${Math.floor(eta / 60)}m${String(Math.round(eta % 60)).padStart(2, '0')}s` : '--';
  return `[${'#'.repeat(f)}${'.'.repeat(w - f)}] ${step}/${steps} ${rate.toFixed(1)} it/s eta ${etaS}${extra}`;
}

export async function trainCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  try {
    ({ flags } = parseFlags(argv, { dataset: 'string', workspace: 'string', steps: 'string', config: 'string', set: 'multi', resume: 'string', json: 'boolean', backend: 'string', help: 'boolean' }));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sngan-studio train: ${err.message}\n\n${trainHelp}\n`);
      return 2;
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(trainHelp + '\n');
    return 0;
  }
  const usage = (m: string) => {
    process.stderr.write(`sngan-studio train: ${m}\n\n${trainHelp}\n`);
    return 2;
  };
  const json = flags.json === true;
  const workspace = typeof flags.workspace === 'string' ? path.resolve(flags.workspace) : '';
  if (!workspace) return usage('--workspace DIR is required');
  let steps: number | undefined;
  if (flags.steps !== undefined) {
    if (typeof flags.steps !== 'string' || !/^\d+$/.test(flags.steps) || Number(flags.steps) < 1) return usage('--steps must be a positive whole number');
    steps = Number(flags.steps);
  }

  let runDir: string;
  let config: TrainConfig;
  const resume = typeof flags.resume === 'string' ? path.resolve(flags.resume) : null;
  try {
    if (resume) {
      if (flags.config || flags.set || flags.dataset) return usage('--resume takes the run\'s own config; drop --config/--set/--dataset');
      const run = await openRun(resume);
      runDir = run.dir;
      config = run.config;
      if (steps !== undefined && steps !== config.steps) {
        config = { ...config, steps };
        await writeConfig(runDir, config);
      }
    } else {
      let obj: Record<string, unknown> = {};
      if (typeof flags.config === 'string') {
        try {
          obj = JSON.parse(await fs.readFile(flags.config, 'utf8')) as Record<string, unknown>;
        } catch (err) {
          return usage(`cannot read --config ${flags.config}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      for (const s of (flags.set as string[] | undefined) ?? []) obj = parseSet(obj, s);
      if (typeof flags.dataset === 'string') obj.dataset = flags.dataset;
      if (!obj.dataset) return usage('--dataset is required (an id, a path, or builtin:ring8 / builtin:grid25)');
      if (steps !== undefined) obj.steps = steps;
      if (typeof flags.backend === 'string') obj.backend = flags.backend;
      try {
        config = parseConfig(obj);
      } catch (err) {
        return usage(err instanceof Error ? err.message : String(err));
      }
      // refuse a dataset too small to train on before a run folder exists (the trainer checks again for paths)
      const manifest = isBuiltin(config.dataset) ? null : await getDataset(workspace, config.dataset).catch(() => null);
      const why = manifest ? datasetSizeProblem(manifest.count, config) : null;
      if (why) {
        process.stderr.write(`sngan-studio train: dataset '${config.dataset}': ${why}\n`);
        return 2;
      }
      const run = await createRun(workspace, config);
      runDir = run.dir;
    }
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    if (err instanceof Error && /--set|bad key|is not an object/.test(err.message)) return usage(err.message);
    throw err;
  }

  const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  if (json) out({ type: 'run', runDir, config });
  else process.stderr.write(`run ${runDir}\n`);

  let lastExtra = '';
  let lastError: string | null = null;
  const tty = process.stderr.isTTY;
  const onEvent = (e: TrainerEvent) => {
    if (json) return out(e);
    switch (e.type) {
      case 'progress':
        if (tty) process.stderr.write(`\r${bar(e.step, e.steps, e.stepsPerSec, e.etaSec, lastExtra)}\x1b[K`);
        else if (e.step === e.steps || e.step % Math.max(1, config.logEvery * 10) === 0) process.stderr.write(bar(e.step, e.steps, e.stepsPerSec, e.etaSec, lastExtra) + '\n');
        break;
      case 'metrics':
        lastExtra = ` D ${e.dLoss.toFixed(3)} G ${e.gLoss.toFixed(3)}`;
        if (e.eval?.modesCovered !== undefined) lastExtra += ` modes ${e.eval.modesCovered}/${e.eval.modesTotal}`;
        break;
      case 'sample':
        if (e.eval?.modesCovered !== undefined) lastExtra = lastExtra.replace(/ modes.*$/, '') + ` modes ${e.eval.modesCovered}/${e.eval.modesTotal}`;
        break;
      case 'error':
        lastError = e.message;
        process.stderr.write(`\n${e.code}: ${e.message}\n`);
        break;
      case 'status':
        if (e.backend) process.stderr.write(`backend ${e.backend}\n`);
        break;
      default:
        break;
    }
  };
  // A NaN pauses the run; headless there is nobody to resume it, so stop (the last good checkpoint stays).
  const host: TrainerHost = new TrainerHost({
    runDir,
    workspace,
    resume: !!resume,
    steps: config.steps,
    onEvent: (e) => {
      onEvent(e);
      if (e.type === 'error' && e.code === 'non_finite') host.stop();
    },
  });
  const onSig = () => host.stop();
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  let final;
  try {
    await host.start();
    final = await host.wait();
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
  if (!json) process.stderr.write(`\n${final}: ${runDir}\n`);
  if (lastError && final === 'stopped') await updateStatus(runDir, { error: lastError }).catch(() => {});
  return final === 'finished' ? 0 : final === 'stopped' && !lastError ? 0 : 1;
}
