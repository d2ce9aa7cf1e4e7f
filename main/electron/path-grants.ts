/**
 * Which file-system paths the renderer may name in the desktop app: only those the user chose in a native
 * dialog or dropped onto the window in this session (and what lies inside a chosen folder). A compromised page
 * cannot grant itself a path: grants come from the dialog handler in main and from the preload, which asks
 * Electron for a dropped File's path (webUtils.getPathForFile gives '' for a File the page made up).
 */
import path from 'node:path';

export class PathGrants {
  private readonly granted = new Set<string>();

  grant(p: string): void {
    if (p && path.isAbsolute(p)) this.granted.add(path.resolve(p));
  }

  /** The path itself, or anything below a granted folder. */
  allows(p: string): boolean {
    if (!path.isAbsolute(p)) return false;
    const target = path.resolve(p);
    for (const g of this.granted) {
      const rel = path.relative(g, target);
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return true;
    }
    return false;
  }
}

/** The paths an API request names, for the calls that take any. */
export function pathsInRequest(name: string, req: unknown): string[] {
  const r = (req ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? [v] : []);
  switch (name) {
    case 'datasets.import':
      return Array.isArray(r.paths) ? r.paths.filter((p): p is string => typeof p === 'string') : [];
    case 'export.run':
      return str(r.out);
    case 'settings.update':
      return str(r.workspace);
    case 'runs.add':
      return str(r.path);
    case 'runs.package':
      return str(r.out);
    default:
      return [];
  }
}

/** Why a call is refused, or undefined when every path it names was granted. */
export function ungrantedPath(grants: PathGrants, name: string, req: unknown): string | undefined {
  const bad = pathsInRequest(name, req).find((p) => !grants.allows(p));
  return bad === undefined ? undefined : `'${bad}' was not chosen in a dialog or dropped on the window in this session`;
}
