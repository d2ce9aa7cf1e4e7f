/**
 * Engine: PyTorch (this machine). A run the app created is trained by the PyTorch package's `train.py` in a local
 * Python that has torch; the app follows its run folder like a run trained elsewhere (run-follow.ts).
 *
 * The interpreter is never a path from the renderer: it is `SNGAN_TORCH_PYTHON` when set, else `python3` / `python`
 * on PATH, probed once for torch. The package sources are copied out of the app (Python cannot read app.asar) into
 * `<workspace>/engines/pytorch-<hash>/`, one folder per version of the sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { PytorchInfo } from '../../shared/api';
import type { RunState } from '../../shared/events';
import { TOYS_2D } from '../../shared/toys2d';
import { writeFolder } from '../runs/atomic';
import { readStatus, updateStatus } from '../runs/store';
import { datasetsDir } from '../datasets/writer';
import { assetFiles } from '../torch/assets';
import { datasetFiles, datasetFolder } from '../torch/package';

const PROBE = 'import json, torch; print(json.dumps({"torch": torch.__version__, "cuda": bool(torch.cuda.is_available())}))';

/** Interpreters to try, in order: the configured one, then python3 and python on PATH (full paths, deduplicated). */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  if (env.SNGAN_TORCH_PYTHON) out.push(env.SNGAN_TORCH_PYTHON);
  const names = process.platform === 'win32' ? ['python.exe', 'python3.exe'] : ['python3', 'python'];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const n of names) {
      const p = path.join(dir, n);
      try {
        accessSync(p, constants.X_OK);
        if (!out.includes(p)) out.push(p);
      } catch {
        // not there or not executable
      }
    }
  }
  return out;
}

/** `python -c PROBE`: its torch version and CUDA, or why not (missing torch, a timeout, not a Python). */
function probePython(python: string, timeoutMs: number): Promise<{ torch: string; cuda: boolean } | { reason: string }> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let child: ChildProcess;
    try {
      child = spawn(python, ['-c', PROBE], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    } catch (e) {
      return resolve({ reason: `${python}: ${(e as Error).message}` });
    }
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('error', (e) => resolve({ reason: `${python}: ${e.message}` }));
    child.on('close', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const j = JSON.parse(line) as { torch: string; cuda: boolean };
        if (code === 0 && typeof j.torch === 'string') return resolve({ torch: j.torch, cuda: j.cuda === true });
      } catch {
        // not our line
      }
      const last = err.trim().split('\n').pop() ?? '';
      resolve({ reason: `${python}: ${signal ? `no answer (${signal})` : /No module named .?torch/.test(err) ? 'has no torch' : last || `exit ${code}`}` });
    });
  });
}

/** The first candidate that imports torch; otherwise every candidate's reason. */
export async function findTorchPython(env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<PytorchInfo> {
  const tried: string[] = [];
  for (const python of pythonCandidates(env)) {
    const r = await probePython(python, timeoutMs);
    if ('torch' in r) return { available: true, python, torch: r.torch, cuda: r.cuda };
    tried.push(r.reason);
  }
  return {
    available: false,
    reason: tried.length
      ? `no Python with torch: ${tried.join('; ')}. Install PyTorch for one of them, or set SNGAN_TORCH_PYTHON to a Python that has it.`
      : 'no python3 or python on PATH; set SNGAN_TORCH_PYTHON to a Python that has torch.',
  };
}

/** The package sources in the workspace, written once per version of them (content-addressed, so never stale). */
async function engineSources(workspace: string): Promise<string> {
  const files = await assetFiles('python');
  const h = createHash('sha256');
  for (const [name, data] of files) h.update(name).update('\0').update(data);
  const dir = path.join(workspace, 'engines', `pytorch-${h.digest('hex').slice(0, 16)}`);
  if (!existsSync(path.join(dir, 'train.py'))) {
    await writeFolder(dir, files).catch((e: Error) => {
      // another launch wrote it first
      if (!existsSync(path.join(dir, 'train.py'))) throw e;
    });
  }
  return dir;
}

/** Where train.py finds the run's dataset: the workspace's datasets, or (built-in shapes) a copy written once. */
async function datasetsFor(workspace: string, dataset: string): Promise<string> {
  if (!dataset.startsWith('builtin:') || dataset.slice(8) in TOYS_2D) return datasetsDir(workspace);
  const root = path.join(workspace, 'engines', 'datasets');
  const dir = path.join(root, datasetFolder(dataset));
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    const prefix = `datasets/${datasetFolder(dataset)}/`;
    const files = (await datasetFiles(dataset, workspace)).map(([n, d]) => [n.slice(prefix.length), d] as [string, Uint8Array | string]);
    await writeFolder(dir, files).catch((e: Error) => {
      if (!existsSync(path.join(dir, 'manifest.json'))) throw e;
    });
  }
  return root;
}

export interface TorchHostOptions {
  python: string;
  workspace: string;
  runDir: string;
  dataset: string;
  device: 'cpu' | 'cuda';
  /** Test hook: extra environment (thread caps). */
  env?: NodeJS.ProcessEnv;
}

/**
 * One `train.py --resume RUN_DIR` process on a run folder the app created (no checkpoint yet: it starts at step 0;
 * otherwise it continues from the newest). Stop is SIGTERM: train.py checkpoints and says "stopped". It cannot
 * pause: a paused PyTorch process would hold its GPU memory, so Stop + Resume is the honest equivalent.
 */
export class TorchHost {
  state: RunState = 'created';
  step = 0;
  private child: ChildProcess | null = null;
  private exitPromise: Promise<RunState> | null = null;
  private stderrTail = '';

  constructor(private readonly o: TorchHostOptions) {}

  async start(): Promise<void> {
    if (this.child) throw new Error('PyTorch trainer already started');
    const src = await engineSources(this.o.workspace);
    const datasets = await datasetsFor(this.o.workspace, this.o.dataset);
    const args = [path.join(src, 'train.py'), '--resume', this.o.runDir, '--datasets', datasets, '--device', this.o.device];
    const child = spawn(this.o.python, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...this.o.env } });
    this.child = child;
    this.state = 'running';
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString()).slice(-4000)));
    this.exitPromise = new Promise<RunState>((resolve) => {
      child.on('close', (code, signal) => {
        this.child = null;
        void this.settle(code, signal).then((s) => resolve((this.state = s)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) => {
        this.child = null;
        this.state = 'failed';
        reject(new Error(`could not start ${this.o.python}: ${e.message}`));
      });
    });
  }

  /** The run's state after the process ended: what train.py wrote, or failed with the end of its stderr. */
  private async settle(code: number | null, signal: NodeJS.Signals | null): Promise<RunState> {
    const status = await readStatus(this.o.runDir).catch(() => null);
    if (status) this.step = status.step;
    // train.py writes its own end: failed (with the rank's error), stopped (SIGTERM), finished (only with exit 0)
    if (status && (status.state === 'failed' || status.state === 'stopped' || (status.state === 'finished' && code === 0))) return status.state;
    const last = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    const error = `PyTorch trainer exited (${signal ? `signal ${signal}` : `code ${code}`})${last ? `: ${last}` : ''}`;
    await updateStatus(this.o.runDir, { state: 'failed', error }).catch(() => undefined);
    return 'failed';
  }

  /** Ask train.py to stop at the next step with a checkpoint. */
  stop(): boolean {
    return this.child?.kill('SIGTERM') ?? false;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  get running(): boolean {
    return this.child !== null;
  }

  wait(): Promise<RunState> {
    return this.exitPromise ?? Promise.resolve(this.state);
  }
}
