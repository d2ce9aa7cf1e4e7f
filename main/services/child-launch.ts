/**
 * How the services start their short-lived child processes (export/sample CLI, backend probe, import): Node's
 * child_process.fork by default (web mode, CLI), Electron's utilityProcess in the desktop app, which sets it
 * once at startup (main/electron/child-process.ts). The packaged app has the RunAsNode fuse off, so fork,
 * which needs it, would start a second app instead of a Node child there.
 */
import { fork } from 'node:child_process';

export interface ChildSpec {
  /** The entry script (processes/entries.ts nodeEntry) and its exec args. */
  path: string;
  execArgv: string[];
  args?: string[];
  /** stdout is piped when the caller reads it (the CLI's JSON line), else ignored; stderr is always piped. */
  stdout?: 'pipe' | 'ignore' | 'inherit';
}

/** What the callers use of a child: Node's ChildProcess has this shape, and so does the utilityProcess adapter. */
export interface ChildLike {
  readonly pid?: number;
  readonly connected: boolean;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  send(message: unknown): boolean;
  kill(signal?: NodeJS.Signals): boolean;
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  once(event: 'message', listener: (message: unknown) => void): this;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

export type ChildLauncher = (spec: ChildSpec) => ChildLike;

export const forkChild: ChildLauncher = (s) =>
  fork(s.path, s.args ?? [], { execArgv: s.execArgv, stdio: ['ignore', s.stdout ?? 'ignore', 'pipe', 'ipc'] }) as unknown as ChildLike;

let current: ChildLauncher = forkChild;

/** The desktop shell calls this once, before the services start. */
export function setChildLauncher(l: ChildLauncher): void {
  current = l;
}

export function launchChild(spec: ChildSpec): ChildLike {
  return current(spec);
}
