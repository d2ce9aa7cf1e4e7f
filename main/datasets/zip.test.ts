import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ZIP_CAPS, readZip, safeEntryName } from './zip';

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

  it('caps each entry by the bytes actually inflated, and keeps the others', async () => {
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

  it('reports a file that is not a zip', async () => {
    const p = join(root, 'not.zip');
    await writeFile(p, 'hello, this is text and not a zip archive');
    await expect(readZip(p)).rejects.toMatchObject({ reason: 'corrupt', message: /not a zip/ });
    const empty = join(root, 'empty.zip');
    await writeFile(empty, zipSync({}));
    await expect(readZip(empty)).rejects.toMatchObject({ reason: 'empty' });
  });
});
