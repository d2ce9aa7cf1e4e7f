/** Dropped/opened Files → server-side paths (Electron preload only); null when paths are unavailable (web mode). */
import { bridge } from './desktop';

export function canResolvePaths(): boolean {
  return typeof bridge()?.pathForFile === 'function';
}

export function pathsFromFiles(files: readonly File[]): string[] | null {
  if (!canResolvePaths()) return null;
  const out: string[] = [];
  for (const f of files) {
    const p = bridge()!.pathForFile!(f);
    if (p) out.push(p);
  }
  return out.length ? out : null;
}

/** Paths typed into the path field: one per line or separated by ';' (quotes stripped). */
export function parsePathList(text: string): string[] {
  return text
    .split(/[\n;]/)
    .map((s) => s.trim().replace(/^["']|["']$/g, ''))
    .filter(Boolean);
}
