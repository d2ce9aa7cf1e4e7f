/**
 * All-or-nothing writes: everything goes to a temp name beside the target (fsynced), renamed into place when
 * complete; a failed write removes its temp file. Run folders (store.ts) and export folders both write this way.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExportError } from '../../shared/export-error';

export type FileSet = Map<string, Uint8Array | string>;
/** Files to write, produced as they are written (so a 50,000-image export never sits in memory whole). */
export type FileStream = Iterable<[string, Uint8Array | string]> | AsyncIterable<[string, Uint8Array | string]>;

/** Temp names carry this marker, so a sweep can find what a crashed writer left behind. */
export const TMP_MARK = '.tmp-';
const tmpName = (target: string) => path.join(path.dirname(target), `.${path.basename(target)}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);

/** Write a file atomically: temp name in the same folder, fsync, rename; the temp file is removed on failure. */
export async function atomicWrite(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = tmpName(file);
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

async function ensureFree(target: string, kind: 'folder' | 'file'): Promise<void> {
  const st = await fs.stat(target).catch(() => null);
  if (!st) return;
  if (kind === 'folder') {
    if (!st.isDirectory()) throw new ExportError(target, 'exists and is not a folder');
    if ((await fs.readdir(target)).length) throw new ExportError(target, 'exists and is not empty (choose a new --out folder)');
    await fs.rmdir(target);
  } else if (st.isDirectory()) throw new ExportError(target, 'is a folder');
}

/** Write `files` (relative names) into the folder `out`, which must not exist or be empty. Returns the names. */
export async function writeFolder(out: string, files: FileStream): Promise<string[]> {
  await fs.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await ensureFree(out, 'folder');
  const tmp = tmpName(path.resolve(out));
  const names: string[] = [];
  try {
    await fs.mkdir(tmp, { recursive: true });
    for await (const [name, data] of files) {
      const p = path.join(tmp, name);
      if (path.relative(tmp, p).startsWith('..') || path.isAbsolute(name)) throw new ExportError(name, 'a file name that leaves the export folder');
      await fs.mkdir(path.dirname(p), { recursive: true });
      await fs.writeFile(p, data);
      names.push(name);
    }
    await ensureFree(out, 'folder');
    await fs.rename(tmp, out);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return names;
}

/** Write one file via a temp name and rename (replaces an existing file, never a folder). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await ensureFree(file, 'file');
  await atomicWrite(path.resolve(file), data);
}
