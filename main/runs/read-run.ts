/**
 * Reading a run folder for export and sampling: its config, a checkpoint's bytes, the dataset manifest beside
 * it, and the sample snapshots in step order. Every failure names the file that caused it (ExportError.file).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseConfig, type TrainConfig } from '../../shared/config';
import { ExportError } from '../../shared/export-error';
import type { RunFiles } from '../../shared/run-files';

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));
const CKPT_RE = /^step-(\d+)\.ckpt$/;
const SNAPSHOT_RE = /^step-(\d+)\.png$/;

async function readFileNamed(file: string): Promise<Uint8Array> {
  try {
    const b = await fs.readFile(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new ExportError(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : msg(e));
  }
}

/** Dataset manifest beside the run (<workspace>/datasets/<id>/manifest.json), when there is one. */
async function datasetInfo(runDir: string, dataset: string): Promise<{ shape?: number[]; classes: string[] }> {
  try {
    const m = JSON.parse(await fs.readFile(path.join(runDir, '..', '..', 'datasets', dataset, 'manifest.json'), 'utf8')) as {
      width?: number;
      height?: number;
      channels?: number;
      classes?: string[];
    };
    const shape = m.width && m.height && m.channels ? [m.height, m.width, m.channels] : undefined;
    return { shape, classes: Array.isArray(m.classes) ? m.classes.map(String) : [] };
  } catch {
    return { classes: [] };
  }
}

/** Pick a checkpoint: the given step, or the newest one. */
export async function findCheckpoint(dir: string, step?: number): Promise<{ step: number; path: string }> {
  const cdir = path.join(dir, 'checkpoints');
  let names: string[];
  try {
    names = await fs.readdir(cdir);
  } catch {
    throw new ExportError(cdir, 'no checkpoints folder (has the run saved a checkpoint yet?)');
  }
  const all = names
    .map((n) => CKPT_RE.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ step: Number(m[1]), path: path.join(cdir, m[0]) }))
    .sort((a, b) => a.step - b.step);
  if (step !== undefined) {
    const hit = all.find((c) => c.step === step);
    if (!hit) throw new ExportError(path.join(cdir, `step-${step}.ckpt`), `missing (saved steps: ${all.map((c) => c.step).join(', ') || 'none'})`);
    return hit;
  }
  if (!all.length) throw new ExportError(cdir, 'no checkpoint files (step-<n>.ckpt)');
  return all[all.length - 1];
}


/** The run's config, the chosen checkpoint's bytes and its dataset's shape and class names. */
export async function readRunFiles(dir: string, opts: { checkpoint?: number } = {}): Promise<RunFiles> {
  const configFile = path.join(dir, 'config.json');
  let config: TrainConfig;
  try {
    config = parseConfig(JSON.parse(new TextDecoder().decode(await readFileNamed(configFile))));
  } catch (e) {
    throw e instanceof ExportError ? e : new ExportError(configFile, msg(e));
  }
  const checkpoint = await findCheckpoint(dir, opts.checkpoint);
  const bytes = await readFileNamed(checkpoint.path);
  return { dir, config, configFile, checkpoint, bytes, dataset: await datasetInfo(dir, config.dataset) };
}

/** The run's fixed-latent snapshots (samples/step-<n>.png) in step order, thinned evenly to at most `max`. */
export async function readSnapshots(dir: string, max = 300): Promise<{ step: number; file: string; bytes: Uint8Array }[]> {
  const sdir = path.join(dir, 'samples');
  const names = await fs.readdir(sdir).catch(() => null);
  if (!names) throw new ExportError(sdir, 'missing (no sample snapshots to make a timelapse from)');
  let frames = names
    .map((n) => SNAPSHOT_RE.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ step: Number(m[1]), file: path.join(sdir, m[0]) }))
    .sort((a, b) => a.step - b.step);
  if (!frames.length) throw new ExportError(sdir, 'no step-<n>.png snapshots');
  if (frames.length > max) {
    // Keep first and last, evenly thinned in between.
    const pick = new Set(Array.from({ length: max }, (_, i) => Math.round((i * (frames.length - 1)) / (max - 1))));
    frames = frames.filter((_, i) => pick.has(i));
  }
  return Promise.all(frames.map(async (f) => ({ ...f, bytes: await readFileNamed(f.file) })));
}
