// The design's layering rules, checked on every source file (eslint checks them too; this one cannot be switched
// off by a comment). The checker itself is proved on fixtures that break each rule.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, roomCycles, violations, type SourceFile } from './layering.test-util';

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

const tree: SourceFile[] = ['main', 'shared', 'renderer', 'bench', 'e2e']
  .flatMap((d) => sources(join(root, d)))
  .map((p) => ({ file: relative(root, p).split(sep).join('/'), text: readFileSync(p, 'utf8') }))
  // this file's fixtures are strings that look like imports
  .filter((f) => f.file !== 'main/layering.test.ts');

describe('layering', () => {
  it('finds the source tree', () => {
    expect(tree.length).toBeGreaterThan(100);
    expect(tree.some((f) => f.file.startsWith('main/engine/'))).toBe(true);
  });

  it('no file breaks a rule', () => {
    expect(violations(tree)).toEqual([]);
  });

  it('no import cycles between rooms (main/<room>, shared, renderer, …)', () => {
    expect(roomCycles(tree)).toEqual([]);
  });

  it('the checker catches a deliberate violation of every rule', () => {
    const bad: SourceFile[] = [
      { file: 'main/services/x.ts', text: "import { app } from 'electron';" },
      { file: 'shared/x.ts', text: "import { a } from '../main/runs/store';\nimport fs from 'node:fs';" },
      { file: 'renderer/src/x.ts', text: "import { b } from '../../main/services/services';" },
      { file: 'main/engine/trainer/x.ts', text: "import { openRun } from '../../runs/store';" },
      { file: 'main/engine/x.ts', text: "import { promises as fs } from 'node:fs';" },
      { file: 'main/engine/metrics/x.ts', text: "const d = await import('../../datasets/load');" },
      { file: 'main/engine/export/x.ts', text: "import sharp from 'sharp';" },
      { file: 'main/runs/x.ts', text: "import type { RunSink } from '../engine/trainer/loop';" },
      { file: 'main/datasets/x.ts', text: "export { Rng } from '../engine/trainer/rng';" },
      { file: 'main/imaging/x.ts', text: "import { readRunFiles } from '../runs/read-run';" },
      { file: 'main/torch/x.ts', text: "import { Trainer } from '../engine/trainer/trainer';" },
    ];
    const found = violations(bad);
    expect(found).toHaveLength(12);
    for (const r of RULES) expect(found.some((v) => v.endsWith(r.name))).toBe(true);
    // and allowed imports stay allowed
    const good: SourceFile[] = [
      { file: 'main/engine/x.ts', text: "import * as tf from '@tensorflow/tfjs';\nimport { Worker } from 'node:worker_threads';\nimport { parseConfig } from '../../shared/config';" },
      { file: 'main/processes/x.ts', text: "import { openRun } from '../runs/store';\nimport { Trainer } from '../engine/trainer/trainer';" },
    ];
    expect(violations(good)).toEqual([]);
  });

  it('the cycle check catches a cycle between rooms', () => {
    const cyclic: SourceFile[] = [
      { file: 'main/runs/a.ts', text: "import { x } from '../engine/b';" },
      { file: 'main/engine/b.ts', text: "import { y } from '../services/c';" },
      { file: 'main/services/c.ts', text: "import { z } from '../runs/a';" },
    ];
    expect(roomCycles(cyclic)).toEqual(['main/engine → main/services → main/runs → main/engine']);
  });
});
