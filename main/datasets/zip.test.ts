import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ZIP_CAPS, readZip, safeEntryName } from './zip';
import { escapingZip, zipBomb } from './hostile-fixtures.test-util';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-zip-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('zip reading', () => {
  it('refuses names that escape the target', () => {
    expect(safeEntryName('a/b.png')).toBe('a/b.png');
    expect(safeEntryName('./a//b.png')).toBe('a/b.png');
    for (const bad of ['../x.png', 'a/../../x.png', '/etc/passwd', '\\\\server\\x.png', 'C:\\x.png', 'c:/x.png', 'a\\..\\..\\x', 'a\0b']) expect(safeEntryName(bad)).toBeUndefined();
  });

  it('caps the entry count', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 30; i++) files[`f${i}.png`] = new Uint8Array([i + 1]);
    const p = join(root, 'many.zip');
    await writeFile(p, zipSync(files));
    const r = await readZip(p, { ...DEFAULT_ZIP_CAPS, maxEntries: 10 });
    expect(r.entries).toHaveLength(10);
    expect(r.truncatedBy).toMatchObject({ reason: 'archive-too-large' });
  });

  it('caps each entry by its declared size, and keeps the others', async () => {
    const p = join(root, 'bomb.zip');
    await writeFile(p, zipSync({ 'big.bin': [new Uint8Array(20_000_000), { level: 9 }], 'small.png': new Uint8Array([1, 2, 3]) }));
    const r = await readZip(p, { ...DEFAULT_ZIP_CAPS, maxEntryBytes: 1_000_000 });
    expect(r.skipped).toEqual([expect.objectContaining({ name: 'big.bin', reason: 'too-large' })]);
    expect(r.entries.map((e) => e.name)).toEqual(['small.png']);
  });

  it('a header that under-declares its size still hits the cap', async () => {
    const p = join(root, 'liar.zip');
    const z = Buffer.from(zipSync({ 'x.bin': [new Uint8Array(5_000_000), { level: 9 }] }));
    // patch the local header's uncompressed size (offset 22) to claim 10 bytes
    z.writeUInt32LE(10, 22);
    await writeFile(p, z);
    const r = await readZip(p, { ...DEFAULT_ZIP_CAPS, maxEntryBytes: 1_000_000 });
    expect(r.entries).toEqual([]);
    expect(r.skipped[0]).toMatchObject({ name: 'x.bin' });
  });

  it('a central directory that under-declares a size is held to it when the entry is loaded', async () => {
    const liar = async (declared: number) => {
      const p = join(root, `cd-liar-${declared}.zip`);
      const z = Buffer.from(zipSync({ 'x.npy': [new Uint8Array(5_000_000), { level: 9 }] }));
      z.writeUInt32LE(declared, z.indexOf(Buffer.from([0x50, 0x4b, 1, 2])) + 24);
      await writeFile(p, z);
      const r = await readZip(p);
      expect(r.entries.map((e) => [e.name, e.size])).toEqual([['x.npy', declared]]);
      return r.entries[0]!.load();
    };
    await expect(liar(10_000)).rejects.toMatchObject({ reason: 'too-large', message: /past the 10000 bytes/ });
    // fewer bytes declared than the deflate stream itself holds: impossible, refused before inflating
    await expect(liar(1000)).rejects.toMatchObject({ reason: 'corrupt', message: /impossible/ });
  });

  it('lists without inflating: a damaged entry fails only when loaded, with a CRC or deflate error', async () => {
    const p = join(root, 'damaged.zip');
    const z = Buffer.from(zipSync({ 'a.png': new Uint8Array(2000).fill(7), 'b.png': new Uint8Array([1, 2, 3]) }, { level: 0 }));
    z[z.indexOf(Buffer.from([7, 7, 7, 7]))] = 8; // one stored byte changed: the CRC no longer matches
    await writeFile(p, z);
    const r = await readZip(p);
    expect(r.entries.map((e) => e.name)).toEqual(['a.png', 'b.png']);
    await expect(r.entries[0]!.load()).rejects.toMatchObject({ reason: 'corrupt', message: /CRC/ });
    expect([...(await r.entries[1]!.load())]).toEqual([1, 2, 3]);
  });

  it('refuses a compression ratio past the cap and stops at the total declared size', async () => {
    const p = join(root, 'ratio.zip');
    await writeFile(p, zipBomb(40_000_000, 'zeros.npy'));
    expect((await readZip(p)).skipped).toEqual([expect.objectContaining({ name: 'zeros.npy', reason: 'archive-too-large', detail: expect.stringMatching(/:1, over the 500:1 limit/) })]);
    const q = join(root, 'total.zip');
    await writeFile(q, zipSync({ 'a.bin': new Uint8Array(600), 'b.bin': new Uint8Array(600), 'c.bin': new Uint8Array(600) }));
    const r = await readZip(q, { ...DEFAULT_ZIP_CAPS, maxTotalBytes: 1000 });
    expect(r.entries.map((e) => e.name)).toEqual(['a.bin']);
    expect(r.truncatedBy).toMatchObject({ reason: 'archive-too-large' });
    expect(r.skipped).toEqual([expect.objectContaining({ name: 'b.bin', reason: 'archive-too-large' })]);
  });

  it('refuses entries that would escape the folder and keeps the safe one', async () => {
    const p = join(root, 'escape.zip');
    await writeFile(p, await escapingZip());
    const r = await readZip(p);
    expect(r.entries.map((e) => e.name)).toEqual(['ok/fine.png']);
    expect(r.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['../escape.png', 'unsafe-path'],
      ['../../etc/evil.png', 'unsafe-path'],
      ['/abs.png', 'unsafe-path'],
    ]);
  });

  it('reports a file that is not a zip', async () => {
    const p = join(root, 'not.zip');
    await writeFile(p, 'hello, this is text and not a zip archive');
    await expect(readZip(p)).rejects.toMatchObject({ reason: 'corrupt', message: /not a zip/ });
    const empty = join(root, 'empty.zip');
    await writeFile(empty, zipSync({}));
    await expect(readZip(empty)).rejects.toMatchObject({ reason: 'empty' });
  });
});
