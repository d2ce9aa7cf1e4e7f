/**
 * The trainer in an Electron utilityProcess, behind the small process surface TrainerHost uses
 * (the same shape as Node's ChildProcess, so services stay transport-agnostic).
 * Plain module: it receives Electron's `utilityProcess` as a parameter and never imports 'electron'.
 */
import { dirname, join } from 'node:path';

import type { TrainerLaunch, TrainerProcessLike } from '../services/trainer-host';
import type { ChildLauncher } from '../services/child-launch';

/** What TrainerHost needs of a trainer process (defined beside TrainerHost); Node's ChildProcess matches it. */
export type TrainerProcess = TrainerProcessLike;
export type LaunchOptions = Parameters<TrainerLaunch>[1];

/** Starts the trainer worker at `workerPath`; TrainerHost's injection point. */
export type TrainerLauncher = (workerPath: string, opts: LaunchOptions) => TrainerProcess;

/** The subset of Electron's UtilityProcess we use (a fake implements it in tests). */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  /** Set when forked with stdio 'pipe'. */
  readonly stdout?: NodeJS.ReadableStream | null;
  readonly stderr?: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
}

/** The subset of Electron's `utilityProcess` module we use. */
export interface UtilityForker {
  fork(
    modulePath: string,
    args?: string[],
    options?: { env?: Record<string, string>; execArgv?: string[]; serviceName?: string; stdio?: 'inherit' | 'ignore' | 'pipe' },
  ): UtilityProcessLike;
}

/** Argument prefix that tells the trainer entry which worker module to load. */
export const WORKER_ARG = '--sngan-worker=';

/** The bridge entry (built beside the worker bundle as trainer-entry.js, or the .ts from source). */
export function defaultEntryPath(workerPath: string): string {
  return join(dirname(workerPath), workerPath.endsWith('.ts') ? '../electron/trainer-entry.ts' : 'trainer-entry.js');
}

function plainEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

type Listener = (...args: never[]) => void;

/** Adapts a UtilityProcess to TrainerProcess: send → postMessage, exit(code) → exit(code, signal), fatal errors kept as the reason. */
export class UtilityTrainerProcess implements TrainerProcess {
  private alive = true;
  private spawned = false;
  private listeners = new Map<string, Set<Listener>>();
  /** Why the process ended, when Electron told us (a fatal error report), else undefined. */
  fatal?: string;

  get stdout(): NodeJS.ReadableStream | null {
    return this.proc.stdout ?? null;
  }

  get stderr(): NodeJS.ReadableStream | null {
    return this.proc.stderr ?? null;
  }

  constructor(private proc: UtilityProcessLike) {
    proc.on('spawn', () => {
      this.spawned = true;
      this.emit('spawn');
    });
    proc.on('message', (m) => this.emit('message', m));
    proc.on('error', (type, location) => {
      this.fatal = `${type} at ${location}`;
    });
    proc.on('exit', (code) => {
      const wasSpawned = this.spawned;
      this.alive = false;
      if (!wasSpawned) this.emit('error', new Error(`trainer process failed to start (code ${code})`));
      // A utility process that crashes reports a code only; a killed one looks like SIGKILL to TrainerHost.
      this.emit('exit', code, this.killedBy ?? null);
    });
  }

  private killedBy?: NodeJS.Signals;

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get connected(): boolean {
    return this.alive && this.spawned;
  }

  send(message: unknown): boolean {
    if (!this.connected) return false;
    try {
      this.proc.postMessage(message);
      return true;
    } catch {
      return false;
    }
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (!this.alive) return false;
    this.killedBy = signal;
    return this.proc.kill();
  }

  on(event: string, listener: Listener): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped = ((...args: never[]) => {
      this.listeners.get(event)?.delete(wrapped);
      listener(...args);
    }) as Listener;
    return this.on(event, wrapped);
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) (l as (...a: unknown[]) => void)(...args);
  }
}

/**
 * A TrainerLauncher that runs each trainer in its own utilityProcess. The process loads the bridge entry,
 * which maps `process.parentPort` (a MessagePort) onto the `process.send`/'message' API the worker uses,
 * then imports the worker itself.
 */
export function utilityTrainerLauncher(utility: UtilityForker, entryPath: (workerPath: string) => string = defaultEntryPath): TrainerLauncher {
  return (workerPath, { execArgv, env }) => {
    const proc = utility.fork(entryPath(workerPath), [`${WORKER_ARG}${workerPath}`], {
      env: plainEnv(env),
      execArgv,
      serviceName: 'SNGAN trainer',
      stdio: 'inherit',
    });
    return new UtilityTrainerProcess(proc);
  };
}

/**
 * The services' ChildLauncher in the desktop app: export/sample CLI, backend probe and import children run in
 * utilityProcess through the same bridge entry as trainers (the packaged app has the RunAsNode fuse off).
 */
export function utilityChildLauncher(utility: UtilityForker, entryPath: (workerPath: string) => string = defaultEntryPath): ChildLauncher {
  return (spec) => {
    const proc = utility.fork(entryPath(spec.path), [`${WORKER_ARG}${spec.path}`, ...(spec.args ?? [])], {
      env: plainEnv(process.env),
      execArgv: spec.execArgv,
      serviceName: 'SNGAN worker',
      stdio: 'pipe',
    });
    if (spec.stdout === 'inherit') proc.stdout?.pipe(process.stdout);
    return new UtilityTrainerProcess(proc);
  };
}
