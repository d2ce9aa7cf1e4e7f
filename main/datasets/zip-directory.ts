/**
 * The central directory of a zip archive (zip64 included), read from the end of the file without inflating
 * anything: one record per entry with where its bytes are and what its header declares. Callers treat every
 * field as a claim to check, not a fact.
 */
import type { FileHandle } from 'node:fs/promises';

export interface ZipRecord {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** offset of the entry's local header */
  offset: number;
}

/** Largest central directory read (a million entries with long names fit). */
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;

export class ZipFormatError extends Error {
  constructor(
    readonly reason: 'corrupt' | 'truncated' | 'unsupported' | 'archive-too-large',
    message: string,
  ) {
    super(message);
  }
}

async function readAt(fh: FileHandle, pos: number, length: number): Promise<DataView> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, pos);
  if (bytesRead < length) throw new ZipFormatError('truncated', 'archive cut short');
  return new DataView(buf.buffer);
}

/** Up to `limit` records of the archive's central directory, and how many it says it holds in all. */
export async function readDirectory(fh: FileHandle, fileSize: number, limit: number): Promise<{ records: ZipRecord[]; total: number }> {
  const tailLen = Math.min(fileSize, 22 + 0xffff);
  const tail = await readAt(fh, fileSize - tailLen, tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--)
    if (tail.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new ZipFormatError('truncated', 'no end-of-central-directory record: the archive is cut short or not a zip');
  if (tail.getUint16(eocd + 4, true) !== 0 || tail.getUint16(eocd + 6, true) !== 0) throw new ZipFormatError('unsupported', 'multi-part (spanned) archives are not supported');
  let total = tail.getUint16(eocd + 10, true);
  let dirSize = tail.getUint32(eocd + 12, true);
  let dirOffset = tail.getUint32(eocd + 16, true);
  if (total === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const at = fileSize - tailLen + eocd - 20;
    const locator = at >= 0 ? await readAt(fh, at, 20) : undefined;
    if (!locator || locator.getUint32(0, true) !== 0x07064b50) throw new ZipFormatError('corrupt', 'zip64 locator missing');
    const z = await readAt(fh, Number(locator.getBigUint64(8, true)), 56);
    if (z.getUint32(0, true) !== 0x06064b50) throw new ZipFormatError('corrupt', 'zip64 end record missing');
    total = Number(z.getBigUint64(32, true));
    dirSize = Number(z.getBigUint64(40, true));
    dirOffset = Number(z.getBigUint64(48, true));
  }
  if (dirOffset + dirSize > fileSize) throw new ZipFormatError('truncated', `central directory claims bytes ${dirOffset}–${dirOffset + dirSize} of a ${fileSize}-byte file`);
  if (dirSize > MAX_DIRECTORY_BYTES) throw new ZipFormatError('archive-too-large', `central directory of ${dirSize} bytes`);
  const dir = await readAt(fh, dirOffset, dirSize);
  const bytes = new Uint8Array(dir.buffer);
  const records: ZipRecord[] = [];
  let p = 0;
  while (records.length < Math.min(total, limit)) {
    if (p + 46 > dirSize || dir.getUint32(p, true) !== 0x02014b50) throw new ZipFormatError('corrupt', `central directory record ${records.length + 1} of ${total} is damaged`);
    const flags = dir.getUint16(p + 8, true);
    const nameLen = dir.getUint16(p + 28, true);
    const extraLen = dir.getUint16(p + 30, true);
    const end = p + 46 + nameLen + extraLen + dir.getUint16(p + 32, true);
    if (end > dirSize) throw new ZipFormatError('corrupt', 'central directory record runs past the directory');
    const rawName = bytes.subarray(p + 46, p + 46 + nameLen);
    const r: ZipRecord = {
      // bit 11: UTF-8 names; otherwise CP437, read as Latin-1 (the same for ASCII)
      name: new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(rawName),
      flags,
      method: dir.getUint16(p + 10, true),
      crc: dir.getUint32(p + 16, true),
      compressedSize: dir.getUint32(p + 20, true),
      size: dir.getUint32(p + 24, true),
      offset: dir.getUint32(p + 42, true),
    };
    zip64Sizes(dir, p + 46 + nameLen, extraLen, r);
    records.push(r);
    p = end;
  }
  return { records, total };
}

/** Fields stored as 0xFFFFFFFF live in the zip64 extra field (id 1), in this order, only those that overflowed. */
function zip64Sizes(dir: DataView, start: number, len: number, r: ZipRecord): void {
  for (let q = start; q + 4 <= start + len; ) {
    const id = dir.getUint16(q, true);
    const size = dir.getUint16(q + 2, true);
    if (id === 1) {
      let f = q + 4;
      const next = () => {
        const v = f + 8 <= q + 4 + size ? Number(dir.getBigUint64(f, true)) : NaN;
        f += 8;
        return v;
      };
      if (r.size === 0xffffffff) r.size = next();
      if (r.compressedSize === 0xffffffff) r.compressedSize = next();
      if (r.offset === 0xffffffff) r.offset = next();
      if ([r.size, r.compressedSize, r.offset].some(Number.isNaN)) throw new ZipFormatError('corrupt', `zip64 field of '${r.name}' is cut short`);
      return;
    }
    q += 4 + size;
  }
}
