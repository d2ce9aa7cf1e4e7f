import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importCommand } from './import';
import { png } from '../datasets/test-fixtures';
import { idxHeader } from '../datasets/hostile-fixtures.test-util';

// Imports must run in a child process: the importer loaded into the CLI's own process would throw.
vi.mock('../datasets/import', () => ({
  importDataset: () => {
    throw new Error('importDataset ran in the CLI process');
  },
}));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-cli-import-'));
  await writeFile(join(root, 'a.png'), await png(50, 40));
  await writeFile(join(root, 'b.png'), 'not an image');
});
afterAll(() => rm(root, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  return { out, err, restore: () => (log.mockRestore(), error.mockRestore()) };
}

describe('sngan-studio import', () => {
  it('--json prints the summary with skipped files', async () => {
    const c = capture();
    const code = await importCommand([root, '--workspace', join(root, 'ws'), '--size', '32', '--channels', '3', '--name', 'mine', '--json']);
    c.restore();
    expect(code).toBe(0);
    const j = JSON.parse(c.out.join('\n'));
    expect(j).toMatchObject({ count: 1, width: 32, height: 32, channels: 3, classes: [], skipped: [{ path: join(root, 'b.png'), reason: 'not-an-image' }] });
    expect(j.id).toMatch(/^mine-[0-9a-f]{8}$/);
  });

  it.each([
    [['x', '--workspace', 'w', '--size', '30']],
    [['x', '--workspace', 'w', '--channels', '2']],
    [['x', '--bogus']],
    [['x']],
    [['--workspace', 'w']],
    [['x', '--workspace']],
  ])('bad flags %j exit 2 with a message on stderr', async (argv) => {
    const c = capture();
    const code = await importCommand(argv);
    c.restore();
    expect(code).toBe(2);
    expect(c.err.join('\n')).toMatch(/sngan-studio import: /);
  });

  it('exits 1 saying why when nothing is importable', async () => {
    const c = capture();
    const code = await importCommand([join(root, 'b.png'), '--workspace', join(root, 'ws2')]);
    c.restore();
    expect(code).toBe(1);
    expect(c.err[0]).toMatch(/No file could be imported.*not-an-image/);
  });

  it('a header that lies fails the import with a message naming the file', async () => {
    const lie = join(root, 'lie-images-idx3-ubyte');
    await writeFile(lie, idxHeader([0x7fffffff, 28, 0]));
    const c = capture();
    const code = await importCommand([lie, '--workspace', join(root, 'ws3'), '--json']);
    c.restore();
    expect(code).toBe(1);
    expect(JSON.parse(c.out.join('\n'))).toMatchObject({ error: expect.stringContaining(lie), skipped: [{ path: lie, reason: 'corrupt' }] });
  });
});
