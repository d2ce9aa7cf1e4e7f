/**
 * Writes a dataset into a temporary folder inside <workspace>/datasets and renames it into place only
 * when complete, so a cancelled or failed import leaves nothing half-written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { DatasetManifest } from '../../shared/datasets';

export const SHEET_COUNT = 100;
export const SHEET_COLUMNS = 10;

export function datasetsDir(workspace: string): string {
  return join(workspace, 'datasets');
}

export function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/\.(gz|zip|npz|npy|bin)$/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return s || 'dataset';
}

/**
 * Temp folders are named after the process writing them, so whoever started an import process can remove
 * what it left when it died (out of memory, killed) without touching other imports in flight.
 */
export function importTempPrefix(pid: number): string {
  return `.import-${pid}-`;
}

export class DatasetWriter {
  count = 0;
  private buf: Buffer;
  private used = 0;
  private constructor(
    readonly dir: string,
    private fh: FileHandle,
    readonly imageBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(imageBytes, 4 << 20));
  }

  static async create(workspace: string, imageBytes: number): Promise<DatasetWriter> {
    const root = datasetsDir(workspace);
    await mkdir(root, { recursive: true });
    await removeStale(root);
    const dir = join(root, `${importTempPrefix(process.pid)}${randomBytes(6).toString('hex')}`);
    await mkdir(dir);
    const fh = await open(join(dir, 'images.u8'), 'w');
    return new DatasetWriter(dir, fh, imageBytes);
  }

  /** Append whole images (a multiple of imageBytes). */
  async write(pixels: Uint8Array): Promise<void> {
    if (pixels.length % this.imageBytes !== 0) throw new Error(`write of ${pixels.length} bytes is not whole ${this.imageBytes}-byte images`);
    this.count += pixels.length / this.imageBytes;
    if (pixels.length >= this.buf.length) {
      await this.flush();
      await this.fh.write(pixels, 0, pixels.length);
      return;
    }
    if (this.used + pixels.length > this.buf.length) await this.flush();
    this.buf.set(pixels, this.used);
    this.used += pixels.length;
  }

  private async flush(): Promise<void> {
    if (this.used > 0) await this.fh.write(this.buf, 0, this.used);
    this.used = 0;
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * Close images.u8 (optionally collapsing 3 identical channels to 1), write labels, the thumbnail sheet and
   * the manifest, then rename the folder to its id.
   */
  async finish(
    workspace: string,
    m: Omit<DatasetManifest, 'id' | 'hash' | 'files' | 'sheet' | 'count' | 'createdAt' | 'version' | 'kind'>,
    labels: Uint8Array | undefined,
    collapseToGrey: boolean,
  ): Promise<DatasetManifest> {
    await this.flush();
    await this.fh.close();
    const imagesPath = join(this.dir, 'images.u8');
    if (collapseToGrey) await collapseChannels(imagesPath, join(this.dir, 'images1.u8'));
    if (labels) await writeFile(join(this.dir, 'labels.u8'), labels);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(imagesPath, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
    if (labels) hash.update(labels);
    const sheetCount = Math.min(SHEET_COUNT, this.count);
    await writeSheet(imagesPath, join(this.dir, 'sheet.png'), sheetCount, m.width, m.height, m.channels);
    const id = `${slugify(m.name)}-${randomBytes(4).toString('hex')}`;
    const manifest: DatasetManifest = {
      version: 1,
      id,
      kind: 'images',
      count: this.count,
      createdAt: new Date().toISOString(),
      hash: hash.digest('hex'),
      files: { images: 'images.u8', labels: labels ? 'labels.u8' : undefined, sheet: 'sheet.png' },
      sheet: { count: sheetCount, columns: SHEET_COLUMNS },
      ...m,
    };
    await writeFile(join(this.dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await rename(this.dir, join(datasetsDir(workspace), id));
    return manifest;
  }
}

/** Leftovers of imports or deletions killed mid-way (a crash, a power cut): untouched for a day. */
async function removeStale(root: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith('.import-') && !name.startsWith('.deleting-')) continue;
    const dir = join(root, name);
    const times = await Promise.all([stat(dir), stat(join(dir, 'images.u8')).catch(() => undefined)]);
    if (times.every((t) => !t || t.mtimeMs < dayAgo)) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

/** Keep every third byte: images written as RGB whose sources were all grey. */
async function collapseChannels(src: string, tmp: string): Promise<void> {
  const out = await open(tmp, 'w');
  try {
    for await (const chunk of createReadStream(src, { highWaterMark: 3 * (1 << 20) })) {
      const c = chunk as Buffer;
      const g = Buffer.allocUnsafe(Math.floor(c.length / 3));
      for (let i = 0; i < g.length; i++) g[i] = c[3 * i]!;
      await out.write(g);
    }
  } finally {
    await out.close();
  }
  await rename(tmp, src);
}

async function writeSheet(imagesPath: string, out: string, n: number, w: number, h: number, c: 1 | 3): Promise<void> {
  const fh = await open(imagesPath, 'r');
  const bytes = w * h * c;
  const data = Buffer.alloc(n * bytes);
  try {
    await fh.read(data, 0, data.length, 0);
  } finally {
    await fh.close();
  }
  const cols = Math.min(SHEET_COLUMNS, n);
  const rows = Math.ceil(n / SHEET_COLUMNS);
  const sheet = Buffer.alloc(cols * w * rows * h * c);
  for (let i = 0; i < n; i++) {
    const ox = (i % SHEET_COLUMNS) * w;
    const oy = Math.floor(i / SHEET_COLUMNS) * h;
    for (let y = 0; y < h; y++) data.copy(sheet, ((oy + y) * cols * w + ox) * c, i * bytes + y * w * c, i * bytes + (y + 1) * w * c);
  }
  await sharp(sheet, { raw: { width: cols * w, height: rows * h, channels: c } }).png().toFile(out);
}
