/**
 * Hosts one trainer process per run (child_process.fork). From source the worker is a .ts file and
 * runs under tsx (`--import tsx`); from a build it is the compiled .js. Events are validated on the way in;
 * a child that exits without a final state marks the run failed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { TrainerEvent, type TrainerCommandInput, type RunState } from '../../shared/events';
import { updateStatus } from '../runs/store';
import { nodeEntry } from '../processes/entries';

/** The process surface the host uses; Node's ChildProcess fits it, and so does the Electron utilityProcess bridge. */
export interface TrainerProcessLike {
  readonly pid?: number;
  readonly connected: boolean;
  send(message: unknown): boolean;
  kill(signal?: NodeJS.Signals): boolean;
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'spawn', listener: () => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
}

export type TrainerLaunch = (workerPath: string, opts: { execArgv: string[]; env: NodeJS.ProcessEnv }) => TrainerProcessLike;

/** Default launcher: child_process.fork with an IPC channel. */
export const forkLaunch: TrainerLaunch = (workerPath, { execArgv, env }) =>
  fork(workerPath, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }) as ChildProcess as unknown as TrainerProcessLike;

export interface TrainerHostOptions {
  runDir: string;
  workspace: string;
  resume?: boolean;
  steps?: number;
  paused?: boolean;
  onEvent?: (e: TrainerEvent) => void;
  /** Path to the worker entry; defaults to the .ts beside the sources or the built .js. */
  workerPath?: string;
  /** Extra environment for the child (SNGAN_BACKEND forces a backend when the config says 'auto'). */
  env?: NodeJS.ProcessEnv;
  /** How to start the process (Electron passes a utilityProcess launcher); default child_process.fork. */
  launch?: TrainerLaunch;
}

const FINAL: RunState[] = ['finished', 'stopped', 'failed'];

export function defaultWorkerPath(): string {
  return nodeEntry('worker').path;
}

export class TrainerHost {
  private child: TrainerProcessLike | null = null;
  state: RunState = 'created';
  step = 0;
  backend?: string;
  private exitPromise: Promise<RunState> | null = null;

  constructor(private o: TrainerHostOptions) {}

  /** Fork the worker and send the start command. Resolves when the child is spawned. */
  start(): Promise<void> {
    if (this.child) return Promise.reject(new Error('trainer already started'));
    const workerPath = this.o.workerPath ?? defaultWorkerPath();
    const execArgv = workerPath.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = (this.o.launch ?? forkLaunch)(workerPath, { execArgv, env: { ...process.env, ...this.o.env } });
    this.child = child;
    let finalSeen = false;
    child.on('message', (raw: unknown) => {
      const r = TrainerEvent.safeParse(raw);
      if (!r.success) return;
      const e = r.data;
      if (e.type === 'status') {
        if (e.state !== 'created' || this.state === 'created') this.state = e.state;
        if (e.backend) this.backend = e.backend;
        if (FINAL.includes(e.state)) finalSeen = true;
      }
      if ('step' in e && typeof e.step === 'number' && e.type !== 'error') this.step = Math.max(this.step, e.step);
      this.o.onEvent?.(e);
    });
    this.exitPromise = new Promise<RunState>((resolve) => {
      child.on('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        this.child = null;
        if (!finalSeen) {
          const message = `trainer process exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})`;
          this.state = 'failed';
          void updateStatus(this.o.runDir, { state: 'failed', error: message })
            .catch(() => {})
            .finally(() => {
              this.o.onEvent?.({ type: 'error', message, code: 'trainer_exited', step: this.step });
              this.o.onEvent?.({ type: 'status', state: 'failed', step: this.step, message });
              resolve('failed');
            });
        } else resolve(this.state);
      });
    });
    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        this.send({ type: 'start', runDir: this.o.runDir, workspace: this.o.workspace, resume: !!this.o.resume, steps: this.o.steps, paused: !!this.o.paused });
        resolve();
      });
      child.once('error', reject);
    });
  }

  private send(cmd: TrainerCommandInput): boolean {
    if (!this.child || !this.child.connected) return false;
    this.child.send(cmd);
    return true;
  }

  pause(): boolean {
    return this.send({ type: 'pause' });
  }
  resume(): boolean {
    return this.send({ type: 'resume' });
  }
  stepOnce(): boolean {
    return this.send({ type: 'stepOnce' });
  }
  /** Ask for a graceful stop (checkpoint, then exit). */
  stop(): boolean {
    return this.send({ type: 'stop' });
  }
  /** Kill the process outright (tests, and a stuck trainer). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves with the final state once the child has exited. */
  wait(): Promise<RunState> {
    return this.exitPromise ?? Promise.resolve(this.state);
  }
}
