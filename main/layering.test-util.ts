/**
 * Test support for layering.test.ts: the design's import rules (../shared/ARCHITECTURE.md) as one pure checker
 * over (file, source text) pairs, so the test can run it on the real tree and on deliberately bad fixtures.
 */
import path from 'node:path';

export interface SourceFile {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  text: string;
}

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

export function importsOf(text: string): string[] {
  return [...text.matchAll(importRe)].map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!).filter(Boolean);
}

/** The room a repository path belongs to: `main/<room>` for the main side, else its top folder. */
export function roomOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'main') return parts.length > 2 ? `main/${parts[1]}` : 'main';
  return parts[0]!;
}

interface Edge {
  from: string;
  /** A repository path (relative import resolved) or a bare package name. */
  to: string;
  spec: string;
}

function edges(files: SourceFile[]): Edge[] {
  return files.flatMap((f) =>
    importsOf(f.text).map((spec) => ({
      from: f.file,
      spec,
      to: spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(f.file), spec)) : spec,
    })),
  );
}

const isRelative = (e: Edge) => e.spec.startsWith('.');
const inRoom = (p: string, room: string) => p === room || p.startsWith(`${room}/`);
const FS = new Set(['node:fs', 'fs', 'node:fs/promises', 'fs/promises']);

interface Rule {
  name: string;
  applies: (file: string) => boolean;
  forbidden: (e: Edge) => boolean;
}

const ENGINE_MAY_NOT = ['main/runs', 'main/datasets', 'main/services', 'main/server', 'main/cli', 'main/processes', 'main/electron', 'main/imaging'];

export const RULES: Rule[] = [
  {
    name: "only main/electron/ imports 'electron' (and the Electron e2e spec, for the binary's path)",
    applies: (f) => !inRoom(f, 'main/electron') && f !== 'e2e/electron.spec.ts',
    forbidden: (e) => e.to === 'electron' || e.to.startsWith('electron/'),
  },
  {
    name: 'shared/ imports nothing from main/, renderer/ or Node',
    applies: (f) => inRoom(f, 'shared') && !f.endsWith('.test.ts'),
    forbidden: (e) => (isRelative(e) && !inRoom(e.to, 'shared')) || e.to.startsWith('node:'),
  },
  {
    name: 'renderer/ imports only shared/ among our folders, and no Node',
    applies: (f) => inRoom(f, 'renderer'),
    forbidden: (e) => (isRelative(e) && !inRoom(e.to, 'renderer') && !inRoom(e.to, 'shared')) || e.to.startsWith('node:'),
  },
  {
    name: 'main/engine/ imports only shared/ and tfjs: no runs/, datasets/, services/, processes/, imaging/…, no file I/O, no image codecs',
    applies: (f) => inRoom(f, 'main/engine'),
    forbidden: (e) => (isRelative(e) && ENGINE_MAY_NOT.some((r) => inRoom(e.to, r))) || FS.has(e.to) || e.to === 'sharp' || e.to === 'electron',
  },
  {
    name: 'main/runs/ and main/datasets/ import no engine/',
    applies: (f) => inRoom(f, 'main/runs') || inRoom(f, 'main/datasets'),
    forbidden: (e) => isRelative(e) && inRoom(e.to, 'main/engine'),
  },
  {
    name: 'main/torch/ imports only shared/, runs/ and datasets/ among our folders (its tests may reach the engine to compare with it)',
    applies: (f) => inRoom(f, 'main/torch') && !/\.test(-util)?\.ts$/.test(f),
    forbidden: (e) => isRelative(e) && !['main/torch', 'shared', 'main/runs', 'main/datasets'].some((r) => inRoom(e.to, r)),
  },
  {
    name: 'main/imaging/ imports only shared/ among our folders',
    applies: (f) => inRoom(f, 'main/imaging'),
    forbidden: (e) => isRelative(e) && !inRoom(e.to, 'main/imaging') && !inRoom(e.to, 'shared'),
  },
];

export function violations(files: SourceFile[]): string[] {
  const out: string[] = [];
  for (const e of edges(files)) for (const r of RULES) if (r.applies(e.from) && r.forbidden(e)) out.push(`${e.from} imports '${e.spec}': ${r.name}`);
  return out;
}

/** Cycles in the graph of rooms (main/<room>, shared, renderer…), each as "a → b → … → a". */
export function roomCycles(files: SourceFile[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges(files)) {
    if (!isRelative(e)) continue;
    const a = roomOf(e.from);
    const b = roomOf(e.to);
    if (a !== b) (graph.get(a) ?? graph.set(a, new Set()).get(a)!).add(b);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') cycles.push([...stack.slice(stack.indexOf(m)), m].join(' → '));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}
