/**
 * Turn dropped paths into import items: image files (with a class from their first sub-folder),
 * array files (IDX, CIFAR, npy), archives. Folders are walked recursively; symlinks are followed
 * but every directory's real path is visited once, so symlink loops end.
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import type { SkipReason } from '../../shared/datasets';
import { IMAGE_EXTENSIONS, MAX_IMAGE_BYTES } from './decode';
import { SkipError } from './errors';
import { isIdxName } from './idx';
import { isCifarName } from './cifar';
import type { ZipEntry } from './zip';

export type ItemKind = 'image' | 'idx-images' | 'idx-labels' | 'cifar' | 'cifar-meta' | 'npy' | 'archive';

export interface FileItem {
  kind: ItemKind;
  /** what the report shows: a filesystem path, or `archive.zip!/inner/name` */
  path: string;
  /** name used for pairing (IDX labels) and class inference; '/'-separated, relative to the dropped root */
  name: string;
  classHint?: string;
  /** the group this item was found in (a dropped folder, an archive): IDX labels pair within it */
  group: string;
  /** set for files on disk (not archive entries): decoders may read the file themselves */
  fsPath?: string;
  load(): Promise<Uint8Array>;
}

export interface Skip {
  path: string;
  reason: SkipReason;
  detail?: string;
}

export function classifyName(name: string): ItemKind | undefined {
  const lower = name.toLowerCase();
  const idx = isIdxName(lower);
  if (idx) return idx === 'images' ? 'idx-images' : 'idx-labels';
  if (isCifarName(lower)) return 'cifar';
  if (lower.endsWith('batches.meta.txt')) return 'cifar-meta';
  const ext = extname(lower);
  if (ext === '.npy') return 'npy';
  if (ext === '.zip' || ext === '.npz') return 'archive';
  if (IMAGE_EXTENSIONS.has(ext)) return 'image';
  return undefined;
}

export const MAX_DEPTH = 32;
/** Most files one import walks (dropping a home folder by mistake must not run for hours). */
export const MAX_FILES = 1_000_000;
/** Largest IDX/CIFAR/npy/zip file read into memory. */
export const MAX_ARRAY_FILE_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/** Read a whole file, refusing empty and over-cap files before reading them. */
export async function readCapped(path: string, cap: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) throw new SkipError('empty', 'file is empty');
    if (size > cap) throw new SkipError('too-large', `file is ${size} bytes, over the ${cap}-byte limit`);
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

/** Walk one dropped path. Items and skips are appended to the given arrays. */
export async function scanPath(root: string, items: FileItem[], skipped: Skip[], signal?: AbortSignal): Promise<void> {
  let st;
  try {
    st = await stat(root);
  } catch (err) {
    skipped.push({ path: root, reason: 'unsupported', detail: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  if (st.isFile()) {
    addFile(root, basename(root), undefined, dirname(root), items, skipped, st.size);
    return;
  }
  if (!st.isDirectory()) {
    skipped.push({ path: root, reason: 'unsupported', detail: 'not a file or folder' });
    return;
  }
  const seen = new Set<string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (signal?.aborted) return;
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      skipped.push({ path: dir, reason: 'unsupported', detail: 'broken link' });
      return;
    }
    if (seen.has(real)) return; // a symlink loop or a second link to the same folder
    seen.add(real);
    if (depth > MAX_DEPTH) {
      skipped.push({ path: dir, reason: 'unsupported', detail: `nested deeper than ${MAX_DEPTH} folders` });
      return;
    }
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: dir, reason: 'unsupported', detail: `cannot list: ${(err as NodeJS.ErrnoException).code}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      if (items.length >= MAX_FILES) {
        skipped.push({ path: dir, reason: 'too-large', detail: `stopped after ${MAX_FILES} files; import fewer at a time` });
        return;
      }
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      let size: number | undefined;
      if (e.isSymbolicLink()) {
        try {
          const s = await stat(full);
          isDir = s.isDirectory();
          isFile = s.isFile();
          size = s.size;
        } catch {
          skipped.push({ path: full, reason: 'unsupported', detail: 'broken symbolic link' });
          continue;
        }
      }
      if (isDir) await walk(full, depth + 1);
      else if (isFile) {
        const rel = relative(root, full).split(sep).join('/');
        const parts = rel.split('/');
        addFile(full, rel, parts.length > 1 ? parts[0] : undefined, root, items, skipped, size);
      } else skipped.push({ path: full, reason: 'unsupported', detail: 'not a regular file' });
    }
  };
  await walk(root, 0);
}

function addFile(full: string, name: string, classHint: string | undefined, group: string, items: FileItem[], skipped: Skip[], size?: number): void {
  const base = basename(full);
  if (base.startsWith('.') && base !== '.') {
    skipped.push({ path: full, reason: 'unsupported', detail: 'hidden or system file' });
    return;
  }
  const kind = classifyName(name);
  if (!kind) {
    skipped.push({ path: full, reason: 'unsupported', detail: `no importer for '${extname(base) || base}' files` });
    return;
  }
  if (size === 0) {
    skipped.push({ path: full, reason: 'empty', detail: 'file is empty' });
    return;
  }
  items.push({ kind, path: full, name, classHint, group, fsPath: full, load: () => readCapped(full, kind === 'image' ? MAX_IMAGE_BYTES : MAX_ARRAY_FILE_BYTES) });
}

/** Items from inside an archive: names relative to the archive; a single wrapping top folder is not a class. */
export function archiveItems(archivePath: string, entries: ZipEntry[], items: FileItem[], skipped: Skip[]): void {
  const names = entries.map((e) => e.name);
  const first = names[0]?.split('/')[0];
  // `set/cats/a.png` + `set/dogs/b.png`: 'set' wraps the class folders. `cats/a.png` alone: 'cats' is the class.
  const wrapped = first !== undefined && names.every((n) => n.includes('/') && n.split('/')[0] === first) && names.some((n) => n.split('/').length > 2);
  for (const e of entries) {
    const rel = wrapped ? e.name.slice(first!.length + 1) : e.name;
    const path = `${archivePath}!/${e.name}`;
    const base = rel.split('/').pop() ?? rel;
    if (e.name.startsWith('__MACOSX/') || base.startsWith('.')) {
      skipped.push({ path, reason: 'unsupported', detail: 'hidden or system file' });
      continue;
    }
    const kind = classifyName(rel);
    if (!kind) {
      skipped.push({ path, reason: 'unsupported', detail: `no importer for '${extname(base) || base}' files` });
      continue;
    }
    if (kind === 'archive') {
      skipped.push({ path, reason: 'unsupported', detail: 'archives inside archives are not opened' });
      continue;
    }
    if (kind === 'image' && e.size > MAX_IMAGE_BYTES) {
      skipped.push({ path, reason: 'too-large', detail: `declares ${e.size} bytes, over the ${MAX_IMAGE_BYTES}-byte image limit` });
      continue;
    }
    const parts = rel.split('/');
    // inflated only when an importer asks, one entry per decode in flight
    items.push({ kind, path, name: rel, classHint: parts.length > 1 ? parts[0] : undefined, group: archivePath, load: e.load });
  }
}
