import { mkdtemp, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from './import';
import { ImportError } from './errors';
import { buildFixtures, idx, npy, png } from './test-fixtures';
import { idxHeader } from './hostile-fixtures.test-util';
import { readDataset, listDatasets } from './store';

let root: string;
let fx: Awaited<ReturnType<typeof buildFixtures>>;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-import-'));
  fx = await buildFixtures(join(root, 'in'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('importDataset on bad inputs', () => {
  it('imports the good files, reports every bad one with its reason, writes only inside the workspace', async () => {
    const ws = join(root, 'ws1');
    const before = await walk(join(root, 'in'));
    const progress: number[] = [];
    const { manifest, skipped } = await importDataset([fx.photos, fx.archive, fx.bomb], {
      workspace: ws,
      size: 32,
      zipCaps: { maxTotalBytes: 10_000_000 },
      onProgress: (p) => progress.push(p.decoded),
    });
    const reasons = Object.fromEntries(skipped.map((s) => [s.path.slice(join(root, 'in').length + 1), s.reason]));
    // a PNG with its body overwritten: libspng has reported it as bad data and, on a loaded machine, as a stream that
    // ends early; both name the file and skip it
    expect(['corrupt', 'truncated']).toContain(reasons['photos/cats/corrupt.png']);
    expect(reasons).toMatchObject({
      'photos/cats/truncated.jpg': 'truncated',
      'photos/cats/empty.png': 'empty',
      'photos/cats/text.png': 'not-an-image',
      'photos/cats/huge.png': 'too-large',
      'photos/cats/notes.txt': 'unsupported',
      'archive.zip!/../escape.png': 'unsafe-path',
      'archive.zip!//abs.png': 'unsafe-path',
      'archive.zip!/set/bad.png': 'not-an-image',
      'bomb.zip': 'archive-too-large',
    });
    // 7 good files in the folder (loop not followed twice), 2 in archive.zip, 1 in bomb.zip
    expect(manifest.count).toBe(10);
    expect([manifest.width, manifest.height, manifest.channels]).toEqual([32, 32, 3]);
    expect(manifest.classes).toEqual(['cats', 'dogs']);
    expect(manifest.classCounts).toEqual([2 + 1 + 1, 5 + 1]);
    expect(progress.length).toBeGreaterThan(0);
    const data = await readDataset(ws, manifest.id);
    expect(data.pixels.length).toBe(10 * 32 * 32 * 3);
    expect(data.labels?.length).toBe(10);
    // nothing escaped: the input tree is unchanged and nothing new sits beside the workspace
    expect((await walk(join(root, 'in'))).sort()).toEqual(before.sort());
    expect((await readdir(root)).sort()).toEqual(['in', 'ws1']);
    const written = await walk(ws);
    expect(written.every((p) => p.startsWith(join(ws, 'datasets', manifest.id)))).toBe(true);
  });

  it('zero good files is an error that says why, and leaves nothing behind', async () => {
    const ws = join(root, 'ws2');
    const err = await importDataset([fx.bad.corrupt!, fx.bad.text!, fx.bad.empty!], { workspace: ws }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).message).toMatch(/No file could be imported: 3 skipped \(.*corrupt.*not-an-image.*empty/);
    expect((err as ImportError).skipped).toHaveLength(3);
    expect(await listDatasets(ws)).toEqual([]);
  });

  it('a cancelled import leaves no half-written dataset', async () => {
    const ws = join(root, 'ws3');
    const abort = new AbortController();
    const p = importDataset([fx.photos], { workspace: ws, signal: abort.signal, concurrency: 1, onProgress: (e) => e.decoded >= 1 && abort.abort() });
    await expect(p).rejects.toThrow(/cancel/i);
    const left = await readdir(join(ws, 'datasets')).catch(() => []);
    expect(left).toEqual([]);
  });

  it('greyscale sources become a 1-channel dataset; letterbox keeps the whole image', async () => {
    const dir = join(root, 'grey');
    await mkdir(dir, { recursive: true });
    const sharp = (await import('sharp')).default;
    for (let i = 0; i < 3; i++)
      await writeFile(join(dir, `g${i}.png`), await sharp({ create: { width: 40, height: 20, channels: 3, background: '#ffffff' } }).greyscale().png().toBuffer());
    const { manifest } = await importDataset([dir], { workspace: join(root, 'ws4'), size: 28, fit: 'letterbox' });
    expect(manifest).toMatchObject({ count: 3, channels: 1, width: 28, hasLabels: false, classes: [] });
    const { pixels } = await readDataset(join(root, 'ws4'), manifest.id);
    expect(pixels[0]).toBe(0); // top-left is letterbox padding
    expect(pixels[14 * 28 + 14]).toBe(255);
  });
});

describe('array formats', () => {
  it('IDX images + labels, gzip or not; bad magic and count mismatch are reported', async () => {
    const dir = join(root, 'idx');
    await mkdir(dir, { recursive: true });
    const n = 50;
    const imgs = new Uint8Array(n * 28 * 28).map((_, i) => i % 251);
    const labs = new Uint8Array(n).map((_, i) => i % 10);
    const { gzipSync } = await import('node:zlib');
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([n, 28, 28], imgs)));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([n], labs)));
    await writeFile(join(dir, 'bad-images-idx3-ubyte'), Buffer.from('PK\x03\x04garbage-garbage'));
    await writeFile(join(dir, 'odd-images-idx3-ubyte'), idx([3, 28, 28], new Uint8Array(3 * 784)));
    await writeFile(join(dir, 'odd-labels-idx1-ubyte'), idx([4], new Uint8Array(4)));
    const { manifest, skipped } = await importDataset([dir], { workspace: join(root, 'ws5') });
    expect(manifest).toMatchObject({ count: n, width: 28, height: 28, channels: 1, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    expect(manifest.classCounts).toEqual(new Array(10).fill(5));
    const reasons = Object.fromEntries(skipped.map((s) => [relative(dir, s.path), s.reason]));
    expect(reasons).toMatchObject({ 'bad-images-idx3-ubyte': 'bad-idx-magic', 'odd-images-idx3-ubyte': 'shape-mismatch' });
    const data = await readDataset(join(root, 'ws5'), manifest.id);
    expect(Buffer.from(data.pixels).equals(Buffer.from(imgs))).toBe(true);
    expect(Buffer.from(data.labels!).equals(Buffer.from(labs))).toBe(true);
  });

  it('CIFAR-10 batches are repacked planar → NHWC with class names', async () => {
    const dir = join(root, 'cifar');
    await mkdir(dir, { recursive: true });
    const rec = new Uint8Array(2 * 3073);
    rec[0] = 3;
    rec.fill(200, 1, 1 + 1024); // R plane of image 0
    rec[3073] = 9;
    await writeFile(join(dir, 'data_batch_1.bin'), rec);
    await writeFile(join(dir, 'test_batch.bin'), rec.subarray(0, 3000));
    const { manifest, skipped } = await importDataset([dir], { workspace: join(root, 'ws6') });
    expect(manifest).toMatchObject({ count: 2, width: 32, channels: 3, classes: ['cat', 'truck'] });
    expect(skipped).toEqual([expect.objectContaining({ reason: 'shape-mismatch' })]);
    const { pixels } = await readDataset(join(root, 'ws6'), manifest.id);
    expect([...pixels.subarray(0, 3)]).toEqual([200, 0, 0]);
  });

  it('npy uint8 NHW, float NCHW in [0,1], and npz with labels', async () => {
    const dir = join(root, 'npy');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.npy'), npy([2, 32, 32], new Uint8Array(2 * 1024).fill(7)));
    const f = new Float32Array(1 * 3 * 32 * 32);
    f.fill(1, 0, 1024); // R plane = 1.0
    await writeFile(join(dir, 'b.npy'), npy([1, 3, 32, 32], f));
    await writeFile(join(dir, 'c.npy'), npy([5, 7], new Uint8Array(35)));
    const r = await importDataset([dir], { workspace: join(root, 'ws7'), channels: 3 });
    expect(r.manifest).toMatchObject({ count: 3, width: 32, channels: 3 });
    expect(r.skipped).toEqual([expect.objectContaining({ reason: 'shape-mismatch' })]);
    const { pixels } = await readDataset(join(root, 'ws7'), r.manifest.id);
    expect([...pixels.subarray(0, 3)]).toEqual([7, 7, 7]);
    expect([...pixels.subarray(2 * 3072, 2 * 3072 + 3)]).toEqual([255, 0, 0]);

    const { zipSync } = await import('fflate');
    const npz = join(root, 'data.npz');
    await writeFile(npz, zipSync({ 'x_train.npy': npy([4, 28, 28], new Uint8Array(4 * 784)), 'y_train.npy': npy([4], Uint8Array.from([0, 1, 1, 2])) }));
    const z = await importDataset([npz], { workspace: join(root, 'ws7') });
    expect(z.manifest).toMatchObject({ count: 4, width: 28, channels: 1, classes: ['0', '1', '2'], classCounts: [1, 2, 1] });
  });

  it('a 16-byte IDX claiming 2^31−1 images of 28×0 fails fast with a message naming the file', async () => {
    const file = join(root, 'lie', 'lie-images-idx3-ubyte');
    await mkdir(join(root, 'lie'), { recursive: true });
    await writeFile(file, idxHeader([0x7fffffff, 28, 0]));
    const err = await importDataset([file], { workspace: join(root, 'ws9') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).message).toContain(file);
    expect((err as ImportError).skipped).toEqual([{ path: file, reason: 'corrupt', detail: expect.stringMatching(/28×0 pixels: a zero side/) }]);
    expect(await listDatasets(join(root, 'ws9'))).toEqual([]);
  });

  it('resizes array data when another size is asked for', async () => {
    const dir = join(root, 'idx2');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 't-images-idx3-ubyte'), idx([2, 28, 28], new Uint8Array(2 * 784).fill(100)));
    const { manifest } = await importDataset([dir], { workspace: join(root, 'ws8'), size: 32, channels: 3 });
    expect(manifest).toMatchObject({ count: 2, width: 32, channels: 3 });
    void png;
    expect((await stat(join(root, 'ws8', 'datasets', manifest.id, 'images.u8'))).size).toBe(2 * 32 * 32 * 3);
  });
});
