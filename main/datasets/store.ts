/**
 * The dataset store on disk: <workspace>/datasets/<id>/{manifest.json, images.u8, labels.u8, sheet.png}.
 * Everything a dataset needs is inside its folder, so a copied folder opens on another machine.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DatasetSummary } from '../../shared/api';
import { DatasetManifest } from '../../shared/datasets';
import { datasetsDir } from './writer';

const ID = /^[A-Za-z0-9._-]+$/;

export class DatasetNotFound extends Error {}

function datasetDir(workspace: string, id: string): string {
  if (!ID.test(id) || id.startsWith('.')) throw new DatasetNotFound(`No dataset '${id}'`);
  return join(datasetsDir(workspace), id);
}

export async function listDatasets(workspace: string): Promise<DatasetManifest[]> {
  let names: string[];
  try {
    names = await readdir(datasetsDir(workspace));
  } catch {
    return [];
  }
  const out: DatasetManifest[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue; // imports in progress, deletions in progress
    const m = await getDataset(workspace, name).catch(() => undefined);
    if (m) out.push(m);
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

export async function getDataset(workspace: string, id: string): Promise<DatasetManifest> {
  let text: string;
  try {
    text = await readFile(join(datasetDir(workspace, id), 'manifest.json'), 'utf8');
  } catch {
    throw new DatasetNotFound(`No dataset '${id}'`);
  }
  const m = DatasetManifest.parse(JSON.parse(text));
  // the folder name is the id, whatever the copied manifest says
  return { ...m, id };
}

export function toSummary(m: DatasetManifest): DatasetSummary {
  return {
    id: m.id,
    name: m.name,
    count: m.count,
    width: m.width,
    height: m.height,
    channels: m.channels,
    classes: m.classes,
    classCounts: m.classCounts,
    kind: 'images',
  };
}

/** The packed pixels (NHWC uint8) and labels of a stored dataset, checked against the manifest. */
export async function readDataset(workspace: string, id: string): Promise<{ manifest: DatasetManifest; pixels: Uint8Array; labels?: Uint8Array }> {
  const manifest = await getDataset(workspace, id);
  const dir = datasetDir(workspace, id);
  const pixels = new Uint8Array(await readFile(join(dir, manifest.files.images)));
  const expected = manifest.count * manifest.width * manifest.height * manifest.channels;
  if (pixels.length !== expected) throw new Error(`dataset '${id}' is damaged: images.u8 has ${pixels.length} bytes, expected ${expected}`);
  let labels: Uint8Array | undefined;
  if (manifest.files.labels) {
    labels = new Uint8Array(await readFile(join(dir, manifest.files.labels)));
    if (labels.length !== manifest.count) throw new Error(`dataset '${id}' is damaged: ${labels.length} labels for ${manifest.count} images`);
  }
  return { manifest, pixels, labels };
}

const classIndexCache = new Map<string, number[][]>();

async function indicesOfClass(workspace: string, m: DatasetManifest, classIndex: number): Promise<number[]> {
  const key = `${datasetDir(workspace, m.id)}:${m.hash}`;
  let byClass = classIndexCache.get(key);
  if (!byClass) {
    byClass = m.classes.map(() => []);
    if (m.files.labels) {
      const labels = await readFile(join(datasetDir(workspace, m.id), m.files.labels));
      for (let i = 0; i < labels.length; i++) byClass[labels[i]!]?.push(i);
    }
    if (classIndexCache.size > 8) classIndexCache.clear();
    classIndexCache.set(key, byClass);
  }
  return byClass[classIndex] ?? [];
}

export interface ThumbnailItem {
  index: number;
  label?: number;
  png: Uint8Array;
}

/**
 * One page of thumbnails, read straight from images.u8 (only the requested images are read), each a PNG
 * at the dataset's resolution. With classIndex, the page is over that class's images only.
 */
export async function thumbnails(workspace: string, id: string, page: { offset: number; limit: number; classIndex?: number }): Promise<{ total: number; items: ThumbnailItem[] }> {
  const m = await getDataset(workspace, id);
  const offset = Math.max(0, Math.floor(page.offset));
  const limit = Math.max(0, Math.min(500, Math.floor(page.limit)));
  let indices: number[];
  let total: number;
  if (page.classIndex !== undefined) {
    const all = await indicesOfClass(workspace, m, page.classIndex);
    total = all.length;
    indices = all.slice(offset, offset + limit);
  } else {
    total = m.count;
    indices = [];
    for (let i = offset; i < Math.min(m.count, offset + limit); i++) indices.push(i);
  }
  if (indices.length === 0) return { total, items: [] };
  const dir = datasetDir(workspace, id);
  const bytes = m.width * m.height * m.channels;
  const fh = await open(join(dir, m.files.images), 'r');
  let labels: Uint8Array | undefined;
  const pixels: Buffer[] = [];
  try {
    // contiguous pages are one read; class pages one read per image
    if (page.classIndex === undefined) {
      const buf = Buffer.alloc(indices.length * bytes);
      await fh.read(buf, 0, buf.length, indices[0]! * bytes);
      for (let k = 0; k < indices.length; k++) pixels.push(buf.subarray(k * bytes, (k + 1) * bytes));
    } else {
      for (const i of indices) {
        const buf = Buffer.alloc(bytes);
        await fh.read(buf, 0, bytes, i * bytes);
        pixels.push(buf);
      }
    }
  } finally {
    await fh.close();
  }
  if (m.files.labels) {
    const lf = await open(join(dir, m.files.labels), 'r');
    try {
      const first = indices[0]!;
      const last = indices[indices.length - 1]!;
      const buf = Buffer.alloc(last - first + 1);
      await lf.read(buf, 0, buf.length, first);
      labels = Uint8Array.from(indices, (i) => buf[i - first]!);
    } finally {
      await lf.close();
    }
  }
  const items = await Promise.all(
    indices.map(async (index, k) => ({
      index,
      label: labels?.[k],
      png: new Uint8Array(await sharp(pixels[k]!, { raw: { width: m.width, height: m.height, channels: m.channels } }).png({ compressionLevel: 1 }).toBuffer()),
    })),
  );
  return { total, items };
}

/** thumbnails() as data URLs, the shape of the datasets.thumbnails call. */
export async function thumbnailPage(workspace: string, id: string, page: { offset: number; limit: number; classIndex?: number }): Promise<{ total: number; items: { index: number; label?: number; dataUrl: string }[] }> {
  const { total, items } = await thumbnails(workspace, id, page);
  return { total, items: items.map((t) => ({ index: t.index, label: t.label, dataUrl: `data:image/png;base64,${Buffer.from(t.png).toString('base64')}` })) };
}

/** The thumbnail sheet (first images tiled) as PNG bytes. */
export async function sheet(workspace: string, id: string): Promise<Uint8Array | undefined> {
  const m = await getDataset(workspace, id);
  if (!m.files.sheet) return undefined;
  return new Uint8Array(await readFile(join(datasetDir(workspace, id), m.files.sheet)));
}

export async function deleteDataset(workspace: string, id: string): Promise<void> {
  await getDataset(workspace, id);
  const dir = datasetDir(workspace, id);
  // rename first so a half-deleted folder never looks like a dataset
  const trash = join(datasetsDir(workspace), `.deleting-${id}-${randomBytes(3).toString('hex')}`);
  await rename(dir, trash);
  await rm(trash, { recursive: true, force: true });
}

export async function renameDataset(workspace: string, id: string, name: string): Promise<DatasetManifest> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new Error('a dataset name is 1–200 characters');
  const m = await getDataset(workspace, id);
  const next = { ...m, name: trimmed };
  const dir = datasetDir(workspace, id);
  const tmp = join(dir, `.manifest-${randomBytes(3).toString('hex')}.json`);
  await writeFile(tmp, JSON.stringify(next, null, 2));
  await rename(tmp, join(dir, 'manifest.json'));
  return next;
}
