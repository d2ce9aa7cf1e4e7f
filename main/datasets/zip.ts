/**
 * Zip (and .npz) archives, read as a stream with fflate so the caps hold on the bytes actually inflated,
 * not on what the headers claim: entry count, per-entry and total uncompressed size (zip bombs).
 * Entry names that would escape a target folder (`../`, absolute, drive letters) are refused.
 * Nothing is ever extracted to disk: entries come back as buffers.
 */
import { open } from 'node:fs/promises';
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import type { SkipReason } from '../../shared/datasets';

export interface ZipCaps {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  maxArchiveBytes: number;
}

export const DEFAULT_ZIP_CAPS: ZipCaps = {
  maxEntries: 200_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxArchiveBytes: 4 * 1024 * 1024 * 1024,
};

export interface ZipEntry {
  /** normalised name inside the archive, '/'-separated */
  name: string;
  data: Uint8Array;
}

export interface ZipResult {
  entries: ZipEntry[];
  skipped: { name: string; reason: SkipReason; detail?: string }[];
  /** set when the archive as a whole was cut off (entry count or total size cap) */
  truncatedBy?: { reason: SkipReason; detail: string };
}

/** A safe relative name, or undefined when the entry would escape its target. */
export function safeEntryName(name: string): string | undefined {
  if (name.includes('\0')) return undefined;
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[A-Za-z]:/.test(n)) return undefined;
  const parts = n.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return undefined;
  return parts.join('/');
}

export async function readZip(path: string, caps: ZipCaps = DEFAULT_ZIP_CAPS, signal?: AbortSignal): Promise<ZipResult> {
  const result: ZipResult = { entries: [], skipped: [] };
  let entryCount = 0;
  let total = 0;
  let stop = false;
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (file: UnzipFile) => {
    if (stop) return;
    const isDir = file.name.endsWith('/') || file.name.endsWith('\\');
    const name = safeEntryName(file.name);
    if (name === undefined) {
      result.skipped.push({ name: file.name, reason: 'unsafe-path', detail: 'entry would be written outside the target folder' });
      return;
    }
    if (isDir || name === '') return;
    if (++entryCount > caps.maxEntries) {
      stop = true;
      result.truncatedBy = { reason: 'archive-too-large', detail: `more than ${caps.maxEntries} entries` };
      return;
    }
    if (file.originalSize !== undefined && file.originalSize > caps.maxEntryBytes) {
      result.skipped.push({ name, reason: 'too-large', detail: `declares ${file.originalSize} bytes uncompressed` });
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    let dead = false;
    file.ondata = (err, chunk, final) => {
      if (dead || stop) return;
      if (err) {
        dead = true;
        result.skipped.push({ name, reason: 'corrupt', detail: err.message });
        return;
      }
      size += chunk.length;
      total += chunk.length;
      if (size > caps.maxEntryBytes) {
        dead = true;
        file.terminate();
        result.skipped.push({ name, reason: 'too-large', detail: `inflates past ${caps.maxEntryBytes} bytes` });
        return;
      }
      if (total > caps.maxTotalBytes) {
        dead = true;
        stop = true;
        file.terminate();
        result.truncatedBy = { reason: 'archive-too-large', detail: `inflates past ${caps.maxTotalBytes} bytes in total (zip bomb?)` };
        result.skipped.push({ name, reason: 'archive-too-large', detail: 'archive total size cap reached while inflating this entry' });
        return;
      }
      chunks.push(chunk);
      if (final) {
        if (size === 0) result.skipped.push({ name, reason: 'empty', detail: 'entry is empty' });
        else result.entries.push({ name, data: chunks.length === 1 ? chunks[0]! : concat(chunks, size) });
      }
    };
    try {
      file.start();
    } catch (err) {
      dead = true;
      result.skipped.push({ name, reason: 'unsupported', detail: `compression method ${file.compression}: ${(err as Error).message}` });
    }
  };

  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > caps.maxArchiveBytes) {
      result.truncatedBy = { reason: 'archive-too-large', detail: `archive is ${size} bytes` };
      return result;
    }
    if (size < 22) throw Object.assign(new Error('too short to be a zip archive'), { reason: size === 0 ? 'empty' : 'truncated' });
    const magic = new Uint8Array(4);
    await fh.read(magic, 0, 4, 0);
    if (magic[0] !== 0x50 || magic[1] !== 0x4b || !((magic[2] === 3 && magic[3] === 4) || (magic[2] === 5 && magic[3] === 6)))
      throw Object.assign(new Error('not a zip archive (no PK signature)'), { reason: 'corrupt' });
    // Small pushes bound what one inflate call can produce (deflate expands at most ~1032×).
    const buf = new Uint8Array(64 * 1024);
    let pos = 0;
    while (pos < size && !stop) {
      if (signal?.aborted) break;
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      unzip.push(buf.slice(0, bytesRead), pos >= size);
    }
  } finally {
    await fh.close();
  }
  if (result.entries.length === 0 && result.skipped.length === 0 && !result.truncatedBy && !signal?.aborted)
    throw Object.assign(new Error('the archive holds no files'), { reason: 'empty' });
  return result;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
