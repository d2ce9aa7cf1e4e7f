/**
 * Which tfjs backend training will get on this machine, asked of a short-lived child process
 * so the main process never loads tfjs. Cached for the life of the app.
 */
import { launchChild } from './child-launch';
import { nodeEntry } from '../processes/entries';

export interface BackendReport {
  name: string;
  reason: string;
  /** Whether training steps compile to onnxruntime here, in one line. */
  engine?: string;
}

let cached: Promise<BackendReport> | undefined;

export function probeBackend(force?: string, timeoutMs = 60_000): Promise<BackendReport> {
  cached ??= new Promise<BackendReport>((resolveProbe) => {
    const entry = nodeEntry('probe');
    const child = launchChild({ path: entry.path, execArgv: entry.execArgv, args: force ? ['--backend', force] : [] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()).slice(-2000));
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.once('message', (msg) => {
      const m = msg as Partial<BackendReport>;
      if (typeof m.name === 'string' && typeof m.reason === 'string') resolveProbe({ name: m.name, reason: m.reason, ...(typeof m.engine === 'string' ? { engine: m.engine } : {}) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveProbe({ name: 'unavailable', reason: `backend probe exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}` });
    });
  });
  return cached;
}
