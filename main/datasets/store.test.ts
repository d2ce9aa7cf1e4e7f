import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from './import';
import { deleteDataset, getDataset, listDatasets, readDataset, renameDataset, sheet, thumbnailPage, thumbnails, toSummary } from './store';
import { idx } from './test-fixtures';
import type { DatasetManifest } from '../../shared/datasets';

let root: string;
let ws: string;
let m: DatasetManifest;
const N = 230;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-store-'));
  ws = join(root, 'ws');
  const dir = join(root, 'in');
  await mkdir(dir);
  const imgs = new Uint8Array(N * 784).map((_, i) => Math.floor(i / 784) % 256); // image i is filled with i
  const labs = new Uint8Array(N).map((_, i) => i % 3);
  await writeFile(join(dir, 'x-images-idx3-ubyte'), idx([N, 28, 28], imgs));
  await writeFile(join(dir, 'x-labels-idx1-ubyte'), idx([N], labs));
  m = (await importDataset([dir], { workspace: ws, name: 'Digits' })).manifest;
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('dataset store', () => {
  it('lists and gets what was imported, with summary and per-class counts', async () => {
    const list = await listDatasets(ws);
    expect(list.map((d) => d.id)).toEqual([m.id]);
    const got = await getDataset(ws, m.id);
    expect(got).toEqual(m);
    expect(toSummary(got)).toEqual({ id: m.id, name: 'Digits', count: N, width: 28, height: 28, channels: 1, classes: ['0', '1', '2'], classCounts: [77, 77, 76], kind: 'images' });
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
    await expect(getDataset(ws, 'nope')).rejects.toThrow(/No dataset/);
    await expect(getDataset(ws, '../in')).rejects.toThrow(/No dataset/);
  });

  it('pages thumbnails, with and without a class filter', async () => {
    const page = await thumbnails(ws, m.id, { offset: 200, limit: 50 });
    expect(page.total).toBe(N);
    expect(page.items.map((t) => t.index)).toEqual(Array.from({ length: 30 }, (_, i) => 200 + i));
    const first = page.items[0]!;
    expect(first.label).toBe(200 % 3);
    const { data, info } = await sharp(first.png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([28, 28]);
    expect(data[0]).toBe(200);
    const cls = await thumbnails(ws, m.id, { offset: 2, limit: 3, classIndex: 1 });
    expect(cls.total).toBe(77);
    expect(cls.items.map((t) => [t.index, t.label])).toEqual([[7, 1], [10, 1], [13, 1]]);
    const urls = await thumbnailPage(ws, m.id, { offset: 0, limit: 2 });
    expect(urls.items[0]!.dataUrl).toMatch(/^data:image\/png;base64,/);
    expect((await thumbnails(ws, m.id, { offset: 1000, limit: 10 })).items).toEqual([]);
    const s = await sheet(ws, m.id);
    const meta = await sharp(s!).metadata();
    expect([meta.width, meta.height]).toEqual([280, 280]);
  });

  it('a copied dataset folder opens elsewhere; rename keeps the id; delete removes it', async () => {
    const other = join(root, 'other');
    await mkdir(join(other, 'datasets'), { recursive: true });
    await cp(join(ws, 'datasets', m.id), join(other, 'datasets', m.id), { recursive: true });
    const copy = await readDataset(other, m.id);
    expect(copy.pixels.length).toBe(N * 784);
    expect(copy.labels![5]).toBe(2);
    const renamed = await renameDataset(other, m.id, '  Renamed ');
    expect(renamed).toMatchObject({ id: m.id, name: 'Renamed' });
    expect((await getDataset(other, m.id)).name).toBe('Renamed');
    await deleteDataset(other, m.id);
    expect(await listDatasets(other)).toEqual([]);
    expect(await readdir(join(other, 'datasets'))).toEqual([]);
    await expect(deleteDataset(other, m.id)).rejects.toThrow(/No dataset/);
  });
});

describe('crash leftovers', () => {
  it('are invisible to list and removed by the next import once a day old', async () => {
    const { utimes } = await import('node:fs/promises');
    const stale = join(ws, 'datasets', '.import-deadbeef0000');
    const fresh = join(ws, 'datasets', '.import-inprogress00');
    await mkdir(stale);
    await mkdir(fresh);
    await writeFile(join(stale, 'images.u8'), 'x');
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await utimes(join(stale, 'images.u8'), old, old);
    await utimes(stale, old, old);
    expect((await listDatasets(ws)).every((d) => !d.id.startsWith('.'))).toBe(true);
    const dir = join(root, 'in2');
    await mkdir(dir);
    await writeFile(join(dir, 'y-images-idx3-ubyte'), idx([1, 28, 28], new Uint8Array(784)));
    await importDataset([dir], { workspace: ws });
    const names = await readdir(join(ws, 'datasets'));
    expect(names).not.toContain('.import-deadbeef0000');
    expect(names).toContain('.import-inprogress00');
  });
});
