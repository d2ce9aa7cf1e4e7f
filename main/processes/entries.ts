/**
 * Where the Node entry points of child processes (and the spectra worker thread) live: the TypeScript sources when running from
 * source (vitest, tsx), or the bundles in out/node/ after `npm run build`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { WorkerEntry } from '../engine/trainer/spectra-runner';

const SOURCES = {
  cli: 'main/cli.ts',
  worker: 'main/processes/trainer.ts',
  probe: 'main/processes/probe.ts',
  importer: 'main/processes/import.ts',
  bench: 'bench/index.ts',
} as const;
export type EntryName = keyof typeof SOURCES;

const here = fileURLToPath(import.meta.url);

export function runningFromSource(): boolean {
  return here.endsWith('.ts');
}

/** Path and exec args to fork an entry with child_process.fork (or Electron's utilityProcess). */
export function nodeEntry(name: EntryName): { path: string; execArgv: string[] } {
  if (runningFromSource()) {
    const repo = resolve(dirname(here), '..', '..');
    return { path: join(repo, SOURCES[name]), execArgv: ['--import', 'tsx'] };
  }
  // Bundles sit in out/node/; the Electron main bundle is in out/main/, the CLI in out/node/.
  const candidates = [join(dirname(here), `${name}.js`), join(dirname(here), '..', 'node', `${name}.js`)];
  const path = candidates.find((p) => existsSync(p)) ?? candidates[1]!;
  return { path, execArgv: [] };
}

/**
 * How to start the spectra worker thread (processes/spectra-worker.ts); null when its script cannot be found.
 * From source, worker threads do not inherit tsx's `--import` hooks, so a one-line eval bootstrap loads the
 * .ts file through tsx's CommonJS API.
 */
export function spectraWorkerEntry(): WorkerEntry | null {
  if (runningFromSource()) {
    const p = join(dirname(here), 'spectra-worker.ts');
    if (!existsSync(p)) return null;
    let api: string;
    try {
      api = createRequire(import.meta.url).resolve('tsx/cjs/api');
    } catch {
      return null;
    }
    return { script: `require(${JSON.stringify(api)}).require(${JSON.stringify(p)}, ${JSON.stringify(p)});`, eval: true };
  }
  const candidates = [join(dirname(here), 'spectra-worker.js'), join(dirname(here), '..', 'node', 'spectra-worker.js')];
  const p = candidates.find((c) => existsSync(c));
  return p ? { script: p, eval: false } : null;
}
