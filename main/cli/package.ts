/**
 * `sngan-studio package --dataset <id|builtin:NAME> --workspace W --out PKG [--config F] [--set k=v …] [--run RUN_DIR [--checkpoint STEP]] [--json]`
 * Writes a folder that trains the run with PyTorch elsewhere (main/torch/package.ts). The app itself needs no Python.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseConfig, parseSet, type TrainConfig } from '../../shared/config';
import { openRun } from '../runs/store';
import { findCheckpoint } from '../runs/read-run';
import { writePackage } from '../torch/package';
import { UsageError, intFlag, parseFlags } from './args';

export const packageHelp = `sngan-studio package --dataset <id|builtin:NAME> --workspace DIR --out PKG [options]
  Write the folder PKG that trains this GAN with PyTorch on another machine (one GPU, several, or a cluster via
  torchrun): the Python sources (torch and the standard library only), config.json, the dataset as the workspace
  stores it, and a README.md with the commands. Its runs (PKG/runs/<id>/) are run folders the app opens and exports.
    python3 PKG/train.py [--device cuda] [--nproc N]      torchrun --nproc_per_node N PKG/train.py
  config.json's batch is the GLOBAL batch, split across ranks.

Options:
  --config FILE        training config JSON (see shared/config.ts)
  --set KEY=VALUE      override one config key; repeatable (arch, d.norm, sn.iters, batch, steps, …)
  --run RUN_DIR        continue that run: its config (with --set overrides) and a checkpoint as init.ckpt
  --checkpoint STEP    which checkpoint of --run (default: the newest)
  --json               print the result as JSON`;

async function configFrom(flags: Record<string, string | boolean | string[]>): Promise<{ config: TrainConfig; from?: { run: string; step: number; bytes: Uint8Array } }> {
  let obj: Record<string, unknown> = {};
  let from: { run: string; step: number; bytes: Uint8Array } | undefined;
  if (typeof flags.run === 'string') {
    if (flags.config) throw new UsageError('--run takes the run\'s own config; use --set to change it');
    const run = await openRun(path.resolve(flags.run));
    const ck = await findCheckpoint(run.dir, intFlag(flags.checkpoint, 'checkpoint'));
    from = { run: run.dir, step: ck.step, bytes: new Uint8Array(await fs.readFile(ck.path)) };
    obj = run.config as unknown as Record<string, unknown>;
  } else if (flags.checkpoint !== undefined) throw new UsageError('--checkpoint needs --run');
  if (typeof flags.config === 'string') {
    try {
      obj = JSON.parse(await fs.readFile(flags.config, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`cannot read --config ${flags.config}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const s of (flags.set as string[] | undefined) ?? []) {
    try {
      obj = parseSet(obj, s);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
  if (typeof flags.dataset === 'string') obj.dataset = flags.dataset;
  if (!obj.dataset) throw new UsageError('--dataset is required (a dataset id in the workspace, or builtin:ring8 / grid25 / spiral / shapes)');
  try {
    return { config: parseConfig(obj), from };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export async function packageCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  let config: TrainConfig;
  let from: { run: string; step: number; bytes: Uint8Array } | undefined;
  try {
    ({ flags } = parseFlags(argv, { dataset: 'string', workspace: 'string', out: 'string', config: 'string', set: 'multi', run: 'string', checkpoint: 'string', json: 'boolean', help: 'boolean' }));
    if (flags.help) {
      console.log(packageHelp);
      return 0;
    }
    if (typeof flags.workspace !== 'string' || !flags.workspace) throw new UsageError('--workspace DIR is required');
    if (typeof flags.out !== 'string' || !flags.out) throw new UsageError('--out PKG is required');
    ({ config, from } = await configFrom(flags));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sngan-studio package: ${err.message}\n\n${packageHelp}`);
      return 2;
    }
    throw err;
  }
  const { appVersion } = await import('../services/services');
  const r = await writePackage({ config, workspace: path.resolve(flags.workspace as string), out: path.resolve(flags.out as string), from, appVersion: appVersion() });
  if (flags.json) console.log(JSON.stringify({ out: r.out, dataset: r.dataset, files: r.files, from: from ? { run: from.run, step: from.step } : undefined }));
  else {
    console.log(`Wrote a PyTorch package to ${r.out} (${r.files.length} files; dataset ${r.dataset}${from ? `; continues ${from.run} at step ${from.step}` : ''}).`);
    console.log(`Train it:  python3 ${path.join(r.out, 'train.py')} [--device cuda] [--nproc N]   (see ${path.join(r.out, 'README.md')})`);
  }
  return 0;
}
