/**
 * Runs inside the trainer's utilityProcess: maps Electron's `process.parentPort` (a MessagePort) onto the
 * child_process IPC surface the trainer worker already speaks (`process.send`, `process.connected`, 'message'),
 * so one worker serves both `child_process.fork` (web mode, CLI) and `utilityProcess` (desktop).
 * Plain Node, no 'electron' import: parentPort is a property of `process` in a utility process.
 */

export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The parts of `process` the bridge reads and writes. */
export interface BridgeableProcess {
  parentPort?: ParentPortLike;
  send?: (...args: never[]) => boolean;
  connected?: boolean;
  emit(event: string | symbol, ...args: unknown[]): boolean;
  listenerCount(event: string | symbol): number;
  on(event: 'newListener', listener: (event: string | symbol) => void): unknown;
}

/** Returns false (and changes nothing) when not in a utility process or when Node IPC already exists. */
export function installParentPortBridge(proc: BridgeableProcess): boolean {
  const port = proc.parentPort;
  if (!port || typeof proc.send === 'function') return false;
  const send = (message: unknown, ...rest: unknown[]): boolean => {
    const callback = rest.find((r): r is (err: Error | null) => void => typeof r === 'function');
    try {
      port.postMessage(message);
      callback?.(null);
      return true;
    } catch (err) {
      callback?.(err as Error);
      return false;
    }
  };
  Object.defineProperty(proc, 'send', { value: send, configurable: true, writable: true });
  Object.defineProperty(proc, 'connected', { value: true, configurable: true, writable: true });
  // The worker module registers its 'message' listener only once it has loaded: hold what arrives before that.
  const early: unknown[] = [];
  port.on('message', (e) => (proc.listenerCount('message') > 0 ? proc.emit('message', e.data) : early.push(e.data)));
  proc.on('newListener', (event) => {
    if (event === 'message' && early.length) queueMicrotask(() => early.splice(0).forEach((m) => proc.emit('message', m)));
  });
  return true;
}

/**
 * The argv the worker module should see: `[node, worker, ...its own args]`, as if it had been started directly
 * (the CLI reads its command from argv[2]); wherever the utility process put the bridge's own arguments.
 */
export function argvForWorker(argv: readonly string[], prefix = '--sngan-worker='): string[] {
  const at = argv.findIndex((a) => a.startsWith(prefix));
  if (at < 0) return [...argv];
  return [argv[0] ?? 'node', argv[at]!.slice(prefix.length), ...argv.slice(at + 1)];
}

/** The worker module named on the command line (`--sngan-worker=<path>`), if any. */
export function workerFromArgv(argv: readonly string[], prefix = '--sngan-worker='): string | undefined {
  const arg = argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length) : undefined;
}
