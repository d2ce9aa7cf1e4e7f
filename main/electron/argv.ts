/**
 * What to open from the command line (first launch, or a second launch forwarded by the single-instance lock):
 * dataset files/folders and run folders. Pure: the file-system probe is injected.
 */
import { isAbsolute, resolve } from 'node:path';

export type LaunchTarget = { kind: 'run' | 'dataset'; path: string };

export interface PathProbe {
  isDirectory(path: string): boolean;
  exists(path: string): boolean;
}

const DATASET_FILES = /\.(zip|npz|npy|gz|idx\d?-ubyte|bin|png|jpe?g|webp|gif|bmp)$/i;

/**
 * The user's arguments from process.argv: skips the executable, the app path Electron gets in development
 * (`electron .` or `electron out/main/main.js`), Chromium/Electron switches and `--`.
 */
export function userArgs(argv: readonly string[], isPackaged: boolean): string[] {
  const rest = argv.slice(isPackaged ? 1 : 2);
  return rest.filter((a) => a !== '--' && !a.startsWith('-') && !a.startsWith('sngan://'));
}

/** A run folder holds config.json and status.json; anything else we can read is a dataset to import. */
export function classifyPath(path: string, probe: PathProbe): LaunchTarget['kind'] | undefined {
  if (!probe.exists(path)) return undefined;
  if (probe.isDirectory(path)) return probe.exists(resolve(path, 'config.json')) && probe.exists(resolve(path, 'status.json')) ? 'run' : 'dataset';
  return DATASET_FILES.test(path) ? 'dataset' : undefined;
}

export function launchTargets(argv: readonly string[], opts: { isPackaged: boolean; cwd: string; probe: PathProbe }): LaunchTarget[] {
  const seen = new Set<string>();
  const out: LaunchTarget[] = [];
  for (const arg of userArgs(argv, opts.isPackaged)) {
    const path = isAbsolute(arg) ? arg : resolve(opts.cwd, arg);
    if (seen.has(path)) continue;
    seen.add(path);
    const kind = classifyPath(path, opts.probe);
    if (kind) out.push({ kind, path });
  }
  return out;
}
