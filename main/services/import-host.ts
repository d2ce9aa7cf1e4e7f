/**
 * Runs one dataset import in a child process of its own (processes/import.ts) with a capped heap: a hostile
 * file may exhaust that process, never this one. Progress and cancel cross the IPC channel. A child that dies
 * before answering is a failed import whose message says why, and the temp folder it was writing is removed;
 * finished datasets are never touched (the writer renames a dataset into place only when it is complete).
 */
import { launchChild } from './child-launch';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportProgress } from '../../shared/datasets';
import { ImportError, abortError } from '../datasets/errors';
import type { ImportResult } from '../datasets/import';
import { datasetsDir, importTempPrefix } from '../datasets/writer';
import { nodeEntry } from '../processes/entries';
import type { ImportJobOpts, ImportReply, ImportRequest } from '../processes/import-messages';

/** Heap cap of an import process: far above any real dataset's needs (pixels live outside the heap). */
export const IMPORT_HEAP_MB = 2048;

export interface ImportHostOptions {
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
  heapMb?: number;
  /** How long a cancelled child may take to clean up before it is killed. */
  cancelGraceMs?: number;
  /** The entry to fork (tests point it at a misbehaving child); default the importer. */
  entry?: { path: string; execArgv: string[] };
}

export function importInChild(paths: string[], opts: ImportJobOpts, host: ImportHostOptions = {}): Promise<ImportResult> {
  const { signal } = host;
  if (signal?.aborted) return Promise.reject(abortError());
  const heapMb = host.heapMb ?? IMPORT_HEAP_MB;
  const entry = host.entry ?? nodeEntry('importer');
  const child = launchChild({ path: entry.path, execArgv: [...entry.execArgv, `--max-old-space-size=${heapMb}`], stdout: 'inherit' });
  let stderrTail = '';
  child.stderr!.on('data', (d: Buffer) => {
    process.stderr.write(d);
    stderrTail = (stderrTail + d.toString()).slice(-8192);
  });

  return new Promise<ImportResult>((resolve, reject) => {
    let answered = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killLater = (ms: number) => {
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), ms);
      killTimer.unref();
    };
    const onAbort = () => {
      if (child.connected) child.send({ type: 'cancel' } satisfies ImportRequest);
      killLater(host.cancelGraceMs ?? 10_000);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (finish: () => void) => {
      if (answered) return;
      answered = true;
      signal?.removeEventListener('abort', onAbort);
      finish();
    };

    child.on('message', (raw) => {
      const m = raw as ImportReply;
      if (m.type === 'progress') host.onProgress?.(m.progress);
      else if (m.type === 'done') settle(() => resolve({ manifest: m.manifest, skipped: m.skipped }));
      else if (m.type === 'failed') settle(() => reject(m.cancelled ? abortError() : new ImportError(m.error, m.skipped)));
      // the child exits by itself once it has answered; one that lingers is not waited for
      if (m.type !== 'progress') killLater(10_000);
    });
    child.on('error', (err) => settle(() => reject(new ImportError(`the import process could not start: ${err.message}`))));
    child.on('exit', (code, sig) => {
      clearTimeout(killTimer);
      if (answered) return;
      const why = signal?.aborted ? abortError() : new ImportError(deathMessage(paths, code, sig, stderrTail, heapMb));
      void removeTempFolders(opts.workspace, child.pid).finally(() => settle(() => reject(why)));
    });
    child.send({ type: 'import', paths, opts } satisfies ImportRequest);
  });
}

function deathMessage(paths: string[], code: number | null, sig: NodeJS.Signals | null, stderr: string, heapMb: number): string {
  const what = paths.length > 1 ? `${paths[0]} (+${paths.length - 1} more)` : (paths[0] ?? 'nothing');
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) return `the import process ran out of memory on ${what} (heap limit ${heapMb} MB); nothing was written`;
  if (sig) return `the import process was killed (${sig}) while importing ${what}; nothing was written`;
  return `the import process exited with code ${code} while importing ${what}; nothing was written`;
}

async function removeTempFolders(workspace: string, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const root = datasetsDir(workspace);
  const prefix = importTempPrefix(pid);
  const names = await readdir(root).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(root, n), { recursive: true, force: true })));
}
