/**
 * Where the Node entry points of child processes live: the TypeScript sources when running from
 * source (vitest, tsx), or the bundles in out/node/ after `npm run build`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = {
  cli: 'main/cli.ts',
  worker: 'main/engine/trainer/worker.ts',
  probe: 'main/engine/probe.ts',
  importer: 'main/datasets/import-worker.ts',
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
