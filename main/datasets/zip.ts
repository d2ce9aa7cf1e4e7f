/**
 * Zip (and .npz) archives, read entry by entry: the central directory is listed up front (nothing inflated)
 * and each entry is read and inflated only when an importer loads it, so an import holds one entry's bytes
 * per decode in flight, never the whole archive. Caps: entry count, per-entry and total declared size, the
 * compression ratio (zip bombs); an entry that inflates past its declared size is refused, so the declared
 * totals bound what is ever inflated. Names that would escape a target folder (`../`, absolute, drive
 * letters) are refused. Nothing is ever extracted to disk: entries come back as buffers.
 */
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';
import type { SkipReason } from '../../shared/datasets';
import { SkipError } from './errors';
import { ZipFormatError, type ZipRecord, readDirectory } from './zip-directory';

export interface ZipCaps {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  maxArchiveBytes: number;
  /** Largest uncompressed/compressed ratio of an entry over RATIO_MIN_BYTES (deflate tops out near 1032:1). */
  maxRatio: number;
}

export const DEFAULT_ZIP_CAPS: ZipCaps = {
  maxEntries: 200_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxArchiveBytes: 4 * 1024 * 1024 * 1024,
  maxRatio: 500,
};

/** Small entries may compress as they like (a blank mask); the ratio cap is for the big ones. */
const RATIO_MIN_BYTES = 16 * 1024 * 1024;

export interface ZipEntry {
  /** normalised name inside the archive, '/'-separated */
  name: string;
  /** declared uncompressed size, enforced when loaded */
  size: number;
  /** read and inflate this entry; throws SkipError when its bytes do not match its header */
  load(): Promise<Uint8Array>;
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

export async function readZip(path: string, caps: ZipCaps = DEFAULT_ZIP_CAPS): Promise<ZipResult> {
  const result: ZipResult = { entries: [], skipped: [] };
  const fh = await open(path, 'r');
  let listing: { records: ZipRecord[]; total: number };
  let fileSize: number;
  try {
    fileSize = (await fh.stat()).size;
    if (fileSize > caps.maxArchiveBytes) {
      result.truncatedBy = { reason: 'archive-too-large', detail: `archive is ${fileSize} bytes` };
      return result;
    }
    if (fileSize < 22) throw Object.assign(new Error('too short to be a zip archive'), { reason: fileSize === 0 ? 'empty' : 'truncated' });
    const magic = new Uint8Array(4);
    await fh.read(magic, 0, 4, 0);
    if (magic[0] !== 0x50 || magic[1] !== 0x4b || !((magic[2] === 3 && magic[3] === 4) || (magic[2] === 5 && magic[3] === 6)))
      throw Object.assign(new Error('not a zip archive (no PK signature)'), { reason: 'corrupt' });
    // one record past the cap tells a full archive from one that holds more
    listing = await readDirectory(fh, fileSize, caps.maxEntries + 1);
  } catch (err) {
    if (err instanceof ZipFormatError) throw Object.assign(new Error(err.message), { reason: err.reason });
    throw err;
  } finally {
    await fh.close();
  }

  let entryCount = 0;
  let total = 0;
  for (const r of listing.records) {
    const isDir = r.name.endsWith('/') || r.name.endsWith('\\');
    const name = safeEntryName(r.name);
    if (name === undefined) {
      result.skipped.push({ name: r.name, reason: 'unsafe-path', detail: 'entry would be written outside the target folder' });
      continue;
    }
    if (isDir || name === '') continue;
    if (++entryCount > caps.maxEntries) {
      result.truncatedBy = { reason: 'archive-too-large', detail: `more than ${caps.maxEntries} entries` };
      break;
    }
    if (r.flags & 1) {
      result.skipped.push({ name, reason: 'unsupported', detail: 'encrypted entry' });
      continue;
    }
    if (r.method !== 0 && r.method !== 8) {
      result.skipped.push({ name, reason: 'unsupported', detail: `compression method ${r.method}` });
      continue;
    }
    if (r.size > caps.maxEntryBytes) {
      result.skipped.push({ name, reason: 'too-large', detail: `declares ${r.size} bytes uncompressed, over the ${caps.maxEntryBytes}-byte limit` });
      continue;
    }
    if (r.size === 0) {
      result.skipped.push({ name, reason: 'empty', detail: 'entry is empty' });
      continue;
    }
    total += r.size;
    if (total > caps.maxTotalBytes) {
      result.truncatedBy = { reason: 'archive-too-large', detail: `declares more than ${caps.maxTotalBytes} bytes in total (zip bomb?)` };
      result.skipped.push({ name, reason: 'archive-too-large', detail: 'archive total size cap reached at this entry' });
      break;
    }
    if (r.size > RATIO_MIN_BYTES && r.size > r.compressedSize * caps.maxRatio) {
      result.skipped.push({ name, reason: 'archive-too-large', detail: `compresses ${Math.round(r.size / Math.max(1, r.compressedSize))}:1, over the ${caps.maxRatio}:1 limit (zip bomb?)` });
      continue;
    }
    result.entries.push({ name, size: r.size, load: () => loadEntry(path, fileSize, r) });
  }
  if (!result.truncatedBy && listing.total > caps.maxEntries && entryCount >= caps.maxEntries)
    result.truncatedBy = { reason: 'archive-too-large', detail: `more than ${caps.maxEntries} entries` };
  if (result.entries.length === 0 && result.skipped.length === 0 && !result.truncatedBy) throw Object.assign(new Error('the archive holds no files'), { reason: 'empty' });
  return result;
}

const inflate = promisify(inflateRaw);

/** Read one entry's bytes and inflate them, holding it to its declared size and CRC. */
async function loadEntry(path: string, fileSize: number, r: ZipRecord): Promise<Uint8Array> {
  // deflate never grows data by more than a few bytes per 16 kB block: a bigger compressed size is a lie
  if (r.compressedSize > r.size + (r.size >> 6) + 1024) throw new SkipError('corrupt', `compressed size ${r.compressedSize} is impossible for ${r.size} bytes`);
  const fh = await open(path, 'r');
  let packed: Uint8Array;
  try {
    const head = new Uint8Array(30);
    await fh.read(head, 0, 30, r.offset);
    const v = new DataView(head.buffer);
    if (v.getUint32(0, true) !== 0x04034b50) throw new SkipError('corrupt', 'local header missing');
    const start = r.offset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
    if (start + r.compressedSize > fileSize) throw new SkipError('truncated', 'entry data runs past the end of the archive');
    packed = new Uint8Array(r.compressedSize);
    await fh.read(packed, 0, r.compressedSize, start);
  } finally {
    await fh.close();
  }
  let out: Uint8Array;
  if (r.method === 0) out = packed;
  else {
    try {
      out = await inflate(packed, { maxOutputLength: r.size });
    } catch (err) {
      const msg = (err as Error).message;
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /larger than/i.test(msg)) throw new SkipError('too-large', `inflates past the ${r.size} bytes its header declares`);
      if (/unexpected end/i.test(msg)) throw new SkipError('truncated', `deflate stream ends early: ${msg}`);
      throw new SkipError('corrupt', `bad deflate stream: ${msg}`);
    }
  }
  if (out.length !== r.size) throw new SkipError('corrupt', `holds ${out.length} bytes, its header declares ${r.size}`);
  if (crc32(out) >>> 0 !== r.crc) throw new SkipError('corrupt', 'CRC mismatch');
  return out;
}
