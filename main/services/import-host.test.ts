import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInChild } from './import-host';
import { listDatasets } from '../datasets/store';
import { png } from '../datasets/test-fixtures';
import { idxHeader } from '../datasets/hostile-fixtures.test-util';

const misbehaving = { path: fileURLToPath(new URL('./import-child.test-util.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
let root: string;
let ws: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-import-host-'));
  ws = join(root, 'ws');
  await mkdir(join(root, 'in'));
  await writeFile(join(root, 'in', 'a.png'), await png(30, 30));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('imports in a child process', () => {
  it('imports with progress events and returns the manifest', async () => {
    const phases: string[] = [];
    const r = await importInChild([join(root, 'in', 'a.png')], { workspace: ws, size: 28, name: 'first' }, { onProgress: (p) => phases.push(p.phase) });
    expect(r.manifest).toMatchObject({ count: 1, width: 28, name: 'first' });
    expect(phases).toContain('scanning');
    expect((await listDatasets(ws)).map((m) => m.name)).toEqual(['first']);
  });

  it('a refused file comes back as an ImportError with the skipped list', async () => {
    const lie = join(root, 'in', 'lie-images-idx3-ubyte');
    await writeFile(lie, idxHeader([0x7fffffff, 28, 0]));
    await expect(importInChild([lie], { workspace: ws })).rejects.toMatchObject({ message: expect.stringContaining(lie), skipped: [{ path: lie, reason: 'corrupt' }] });
  });

  it('a child that runs out of memory is a failed import that says so; its temp folder goes, earlier datasets stay', async () => {
    const err = await importInChild([join(root, 'in', 'a.png')], { workspace: ws, name: 'oom' }, { entry: misbehaving, heapMb: 96 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^the import process ran out of memory on .*a\.png \(heap limit 96 MB\)/);
    expect(await readdir(join(ws, 'datasets'))).toEqual([expect.stringMatching(/^first-/)]);
    expect((await listDatasets(ws)).map((m) => m.name)).toEqual(['first']);
  });

  it('a cancelled child that does not stop is killed; the import reports cancelled and leaves nothing', async () => {
    const abort = new AbortController();
    const p = importInChild([join(root, 'in', 'a.png')], { workspace: ws, name: 'hang' }, { entry: misbehaving, signal: abort.signal, cancelGraceMs: 200, onProgress: () => abort.abort() });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(await readdir(join(ws, 'datasets'))).toEqual([expect.stringMatching(/^first-/)]);
  });
});
