/**
 * Every hostile fixture imported on its own: the import fails (or skips that file) with the reason it
 * deserves, writes nothing outside the workspace, and this process keeps running. A few go through the
 * import process as the app runs them; the rest in-process, for speed.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../datasets/import';
import type { ImportError } from '../datasets/errors';
import { writeHostileFixtures } from '../datasets/hostile-fixtures.test-util';
import { importInChild } from './import-host';

const EXPECTED: Record<string, string> = {
  idxHugeCount: 'corrupt',
  idxCountPastData: 'truncated',
  idxZeroDim: 'corrupt',
  idxTruncated: 'truncated',
  idxBadMagic: 'bad-idx-magic',
  npyHugeShape: 'too-large',
  npyBadDtype: 'unsupported',
  npyTruncated: 'truncated',
  npyHeaderPastEnd: 'truncated',
  zipBomb: 'archive-too-large',
  pngLyingIhdr: 'too-large',
  jpegTruncated: 'truncated',
  empty: 'empty',
};
const IN_CHILD = new Set(['idxHugeCount', 'zipBomb', 'pngLyingIhdr']);

let root: string;
let files: Record<string, string>;
let before: string[];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-hostile-'));
  files = await writeHostileFixtures(join(root, 'in'));
  before = (await readdir(join(root, 'in'))).sort();
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function nothingEscaped(): Promise<void> {
  expect((await readdir(join(root, 'in'))).sort()).toEqual(before);
  expect((await readdir(root)).filter((n) => n !== 'in' && n !== 'ws')).toEqual([]);
  const ds = await readdir(join(root, 'ws', 'datasets')).catch(() => [] as string[]);
  expect(ds.filter((n) => n.startsWith('.'))).toEqual([]);
}

describe('hostile inputs', () => {
  it.each(Object.keys(EXPECTED))('%s fails with a clear reason and writes nothing', async (key) => {
    const file = files[key]!;
    const opts = { workspace: join(root, 'ws') };
    const run = IN_CHILD.has(key) ? importInChild([file], opts) : importDataset([file], opts);
    const err = (await run.then(
      () => undefined,
      (e: unknown) => e,
    )) as ImportError | undefined;
    expect(err?.message).toMatch(/^No file could be imported/);
    expect(err!.message).toContain(basename(file));
    expect(err!.skipped.map((s) => s.reason)).toEqual([EXPECTED[key]]);
    expect(err!.skipped[0]!.path.startsWith(file)).toBe(true);
    await nothingEscaped();
  });

  it('a zip with ../ and absolute names imports only its safe entry, in the import process', async () => {
    const ticks = { n: 0 };
    const timer = setInterval(() => ticks.n++, 5);
    const { manifest, skipped } = await importInChild([files.zipEscape!], { workspace: join(root, 'ws'), size: 32 });
    clearInterval(timer);
    expect(manifest.count).toBe(1);
    expect(skipped.map((s) => [s.path.slice(files.zipEscape!.length), s.reason])).toEqual([
      ['!/../escape.png', 'unsafe-path'],
      ['!/../../etc/evil.png', 'unsafe-path'],
      ['!//abs.png', 'unsafe-path'],
    ]);
    expect(ticks.n).toBeGreaterThan(0); // this process's event loop kept running meanwhile
    await nothingEscaped();
    expect(await readdir(join(root, 'ws', 'datasets'))).toEqual([manifest.id]);
  });
});
