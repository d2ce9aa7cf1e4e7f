/**
 * Run store: <workspace>/runs/<id>/ with config.json, metrics.jsonl (append-only), samples/step-<n>.png,
 * checkpoints/step-<n>.ckpt (temp + rename) and status.json. A run folder copied elsewhere opens there.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseRunConfig, type TrainConfig } from '../../shared/config';
import type { RunState } from '../../shared/events';
import { PointsSample } from '../../shared/api';
import { atomicWrite, TMP_MARK } from './atomic';
import { externalDir, externalRuns, writeExternalRuns } from './external';

export { atomicWrite };

export interface RunStatus {
  id: string;
  state: RunState;
  step: number;
  steps: number;
  dataset: string;
  createdAt: string;
  updatedAt: string;
  error?: string;
  errorStep?: number;
  errorLayer?: string;
  backend?: string;
  /** Who computes the training step ('onnxruntime' | 'tfjs') and why. */
  engine?: string;
  engineReason?: string;
}

export interface RunInfo {
  id: string;
  dir: string;
  /** Registered by path from outside the workspace (external.ts): written by another engine, read here. */
  external?: boolean;
  config: TrainConfig;
  status: RunStatus;
}

export const runsDir = (workspace: string) => path.join(workspace, 'runs');


function makeId(dataset: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  const ds = dataset.replace(/^builtin:/, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'run';
  return `${stamp}-${ds}-${randomBytes(2).toString('hex')}`;
}

export async function createRun(workspace: string, config: TrainConfig, id?: string): Promise<RunInfo> {
  const runId = id ?? makeId(config.dataset);
  if (!/^[A-Za-z0-9._:-]+$/.test(runId)) throw new Error(`bad run id "${runId}"`);
  const dir = path.join(runsDir(workspace), runId);
  await fs.mkdir(path.join(dir, 'samples'), { recursive: true });
  await fs.mkdir(path.join(dir, 'checkpoints'), { recursive: true });
  const now = new Date().toISOString();
  const status: RunStatus = { id: runId, state: 'created', step: 0, steps: config.steps, dataset: config.dataset, createdAt: now, updatedAt: now };
  await atomicWrite(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  await atomicWrite(path.join(dir, 'status.json'), JSON.stringify(status, null, 2) + '\n');
  return { id: runId, dir, config, status };
}

const RUN_ID_RE = /^(?!\.)[A-Za-z0-9._-]{1,200}$/;

/**
 * The run folder for an id that came from a caller: refused unless the id is a plain folder name, the folder is a
 * real directory directly under `<workspace>/runs/` (no link out), and its status.json carries the same id.
 */
export async function openRunById(workspace: string, id: string): Promise<RunInfo> {
  const root = path.resolve(runsDir(workspace));
  let dir = path.join(root, id);
  if (!RUN_ID_RE.test(id) || path.dirname(dir) !== root || path.basename(dir) !== id) throw new RunNotFoundError(id, 'not a run id');
  let st = await fs.lstat(dir).catch(() => null);
  // Not in the workspace: a run registered by path (external.ts), if any.
  const outside = !st ? await externalDir(workspace, id) : undefined;
  if (outside) {
    dir = outside;
    st = await fs.stat(dir).catch(() => null);
  }
  if (!st?.isDirectory()) throw new RunNotFoundError(id, 'no such run folder');
  const run = await openRun(dir).catch((e: Error) => {
    throw new RunNotFoundError(id, `unreadable run folder (${e.message})`);
  });
  if (run.status.id !== id) throw new RunNotFoundError(id, `its status.json names run '${run.status.id}'`);
  return outside ? { ...run, external: true } : run;
}

export class RunNotFoundError extends Error {
  constructor(
    readonly id: string,
    readonly why: string,
  ) {
    super(`No run '${id}' in the workspace: ${why}`);
    this.name = 'RunNotFoundError';
  }
}

/** Remove temp files a crashed writer left (`.<name>.tmp-…`, see atomic.ts); call only while no trainer writes the run. */
export async function sweepTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const sub of ['', 'checkpoints', 'samples']) {
    const d = path.join(dir, sub);
    for (const name of await fs.readdir(d).catch(() => [] as string[])) {
      if (!name.includes(TMP_MARK)) continue;
      await fs.rm(path.join(d, name), { recursive: true, force: true });
      removed.push(path.join(d, name));
    }
  }
  return removed;
}

export async function openRun(dir: string): Promise<RunInfo> {
  const config = parseRunConfig(JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')));
  const status = await readStatus(dir);
  return { id: status.id, dir, config, status };
}

export async function writeConfig(dir: string, config: TrainConfig): Promise<void> {
  await atomicWrite(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}

export async function readStatus(dir: string): Promise<RunStatus> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'status.json'), 'utf8')) as RunStatus;
  } catch {
    const now = new Date().toISOString();
    return { id: path.basename(dir), state: 'created', step: 0, steps: 0, dataset: '', createdAt: now, updatedAt: now };
  }
}

/** Merge a patch into status.json (atomic). */
export async function updateStatus(dir: string, patch: Partial<RunStatus>): Promise<RunStatus> {
  const cur = await readStatus(dir);
  const next: RunStatus = { ...cur, ...patch, updatedAt: new Date().toISOString() };
  if (patch.state && patch.state !== 'failed' && patch.state !== 'paused' && patch.error === undefined) {
    delete next.error;
    delete next.errorStep;
    delete next.errorLayer;
  }
  await atomicWrite(path.join(dir, 'status.json'), JSON.stringify(next, null, 2) + '\n');
  return next;
}

/** Does the file end without a newline (its last line torn)? */
async function endsTorn(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r').catch(() => null);
  if (!fh) return false;
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

export async function appendMetrics(dir: string, entry: object): Promise<void> {
  const file = path.join(dir, 'metrics.jsonl');
  // A torn last line from a crashed writer is ended first, so it is never glued to this row (one byte read).
  const lead = (await endsTorn(file)) ? '\n' : '';
  await fs.appendFile(file, lead + JSON.stringify(entry) + '\n');
}

/** Metrics log entries, optionally only those with step > since. Tolerates a torn last line. */
export async function readMetrics(dir: string, since?: number): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, 'metrics.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as Record<string, unknown>;
      if (since === undefined || (typeof e.step === 'number' && e.step > since)) out.push(e);
    } catch {
      /* torn line from a crash: skip */
    }
  }
  return out;
}

/** Drop metrics entries after `step` (used when a run resumes from an earlier checkpoint). */
export async function truncateMetrics(dir: string, step: number): Promise<void> {
  const all = await readMetrics(dir);
  const keep = all.filter((e) => typeof e.step !== 'number' || e.step <= step);
  if (keep.length === all.length) return;
  await atomicWrite(path.join(dir, 'metrics.jsonl'), keep.map((e) => JSON.stringify(e) + '\n').join(''));
}

export const samplePath = (dir: string, step: number) => path.join(dir, 'samples', `step-${step}.png`);

export async function writeSample(dir: string, step: number, png: Uint8Array): Promise<string> {
  const p = samplePath(dir, step);
  await atomicWrite(p, png);
  return p;
}

/** Augmented training images as D saw them at `step` (runs with augmentation on): samples/augmented-<n>.png. */
export const augmentedPath = (dir: string, step: number) => path.join(dir, 'samples', `augmented-${step}.png`);

export async function writeAugmented(dir: string, step: number, png: Uint8Array): Promise<string> {
  const p = augmentedPath(dir, step);
  await atomicWrite(p, png);
  return p;
}

/** A 2D run's snapshot data (points and D's field), beside its PNG: samples/step-<n>.json. */
export const samplePointsPath = (dir: string, step: number) => path.join(dir, 'samples', `step-${step}.json`);

export async function writeSamplePoints(dir: string, step: number, data: PointsSample): Promise<string> {
  const p = samplePointsPath(dir, step);
  await atomicWrite(p, JSON.stringify(data));
  return p;
}

/** The snapshot's points and field, or null when the run has none for this step (image runs, older runs, damage). */
export async function readSamplePoints(dir: string, step: number): Promise<PointsSample | null> {
  try {
    const parsed = PointsSample.safeParse(JSON.parse(await fs.readFile(samplePointsPath(dir, step), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function listSamples(dir: string): Promise<number[]> {
  const names = await fs.readdir(path.join(dir, 'samples')).catch(() => [] as string[]);
  return names
    .map((n) => /^step-(\d+)\.png$/.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

const ckptRe = /^step-(\d+)\.ckpt$/;

export async function listCheckpoints(dir: string): Promise<{ step: number; path: string }[]> {
  const cdir = path.join(dir, 'checkpoints');
  const names = await fs.readdir(cdir).catch(() => [] as string[]);
  return names
    .map((n) => ckptRe.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ step: Number(m[1]), path: path.join(cdir, m[0]) }))
    .sort((a, b) => a.step - b.step);
}

export async function latestCheckpoint(dir: string): Promise<{ step: number; path: string } | null> {
  const all = await listCheckpoints(dir);
  return all.length ? all[all.length - 1] : null;
}

/** Write checkpoints/step-<n>.ckpt atomically; keep only the newest `keep`. */
export async function writeCheckpoint(dir: string, step: number, bytes: Uint8Array, keep = 3): Promise<string> {
  const p = path.join(dir, 'checkpoints', `step-${step}.ckpt`);
  await atomicWrite(p, bytes);
  const all = await listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) await fs.rm(old.path, { force: true });
  return p;
}

export async function readCheckpoint(p: string): Promise<Uint8Array> {
  return new Uint8Array(await fs.readFile(p));
}

/** All runs in a workspace, newest first. Folders without a readable config are skipped. */
export async function listRuns(workspace: string): Promise<RunInfo[]> {
  const names = await fs.readdir(runsDir(workspace)).catch(() => [] as string[]);
  const out: RunInfo[] = [];
  for (const n of names) {
    try {
      out.push(await openRun(path.join(runsDir(workspace), n)));
    } catch {
      /* not a run folder */
    }
  }
  for (const e of await externalRuns(workspace)) {
    if (out.some((r) => r.id === e.id)) continue;
    const run = await openRun(e.dir).catch(() => null);
    if (run && run.status.id === e.id) out.push({ ...run, external: true });
  }
  return out.sort((a, b) => b.status.createdAt.localeCompare(a.status.createdAt));
}

/**
 * Register a run folder from outside the workspace by path (idempotent for the same folder). Refused: a folder
 * that is not a run (config.json + status.json), an id that is not a plain name, or one a different run has.
 */
export async function addExternalRun(workspace: string, dir: string): Promise<RunInfo> {
  if (!path.isAbsolute(dir)) throw new Error(`'${dir}' is not a full path`);
  const abs = path.resolve(dir);
  const run = await openRun(abs).catch((e: Error) => {
    throw new Error(`${abs} is not a run folder (${e.message.split('\n')[0]})`);
  });
  const id = run.status.id;
  if (!RUN_ID_RE.test(id)) throw new Error(`${path.join(abs, 'status.json')} names the run '${id}', which is not a plain folder name`);
  const inWorkspace = path.relative(path.resolve(runsDir(workspace)), abs);
  if (inWorkspace === id) return run; // already a local run
  if (await fs.lstat(path.join(runsDir(workspace), id)).catch(() => null)) throw new Error(`a run '${id}' is already in the workspace`);
  const known = await externalRuns(workspace);
  const same = known.find((r) => r.id === id);
  if (same && path.resolve(same.dir) !== abs) throw new Error(`a run '${id}' is already registered from ${same.dir}`);
  if (!same) await writeExternalRuns(workspace, [...known, { id, dir: abs }]);
  return { ...run, external: true };
}
