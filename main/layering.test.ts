// The design's layering rules, checked on every source file (eslint checks them too, this one cannot be switched off by a comment).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|svelte)$/.test(name)) out.push(p);
  }
  return out;
}

const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importRe)].map((m) => m[1] ?? m[2] ?? m[3]!).filter(Boolean);
}

const files = ['main', 'shared', 'renderer', 'bench', 'e2e'].flatMap((d) => sources(join(root, d)));

describe('layering', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("only main/electron/ imports 'electron'", () => {
    // The Electron e2e spec only resolves the Electron binary's path, nothing more.
    const allowed = (f: string) => relative(root, f).startsWith('main/electron/') || relative(root, f) === 'e2e/electron.spec.ts';
    const offenders = files.filter((f) => !allowed(f) && importsOf(f).some((i) => i === 'electron' || i.startsWith('electron/')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('shared/ imports nothing from main/, renderer/ or Node', () => {
    const offenders = files
      .filter((f) => relative(root, f).startsWith('shared/') && !f.endsWith('.test.ts'))
      .filter((f) => importsOf(f).some((i) => i.includes('/main/') || i.includes('/renderer/') || i.startsWith('node:')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('renderer/ imports only shared/ among our folders', () => {
    const offenders = files
      .filter((f) => relative(root, f).startsWith('renderer/'))
      .filter((f) => importsOf(f).some((i) => i.includes('/main/') || i.startsWith('node:')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  it('main/engine/ imports neither Electron nor the services', () => {
    const offenders = files
      .filter((f) => relative(root, f).startsWith('main/engine/'))
      .filter((f) => importsOf(f).some((i) => i === 'electron' || i.includes('/services/') || i.includes('/server/')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
