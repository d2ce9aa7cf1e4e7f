/**
 * Test support: files whose headers lie, built byte by byte, for the importers' hardening tests.
 * Each one is small on disk; read naively, most of them would size an allocation from a header.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { hugePng, idx, jpeg, npy, png } from './test-fixtures';

/** An IDX header (uint8, the given dims) followed by `dataBytes` zero bytes, whatever the dims say. */
export function idxHeader(dims: number[], dataBytes = 0, magic: [number, number, number] = [0, 0, 0x08]): Buffer {
  const b = idx(dims, new Uint8Array(dataBytes));
  b.set(magic, 0);
  return b;
}

/** An npy v1 file with a free-form header dict and `dataBytes` zero bytes after it. */
export function npyRaw(header: string, dataBytes = 0, headerLength?: number): Buffer {
  const text = `${header}\n`;
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(headerLength ?? text.length, 8);
  return Buffer.concat([pre, Buffer.from(text, 'latin1'), Buffer.alloc(dataBytes)]);
}

export const npyDict = (descr: string, shape: number[]) => `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;

/** A zip with one highly compressible entry of `bytes` zeros (a few hundred kB on disk per 100 MB). */
export function zipBomb(bytes: number, name = 'cats/zeros.png'): Uint8Array {
  return zipSync({ [name]: [new Uint8Array(bytes), { level: 9 }] });
}

/** A zip whose entries try to escape the folder they would be extracted to. */
export async function escapingZip(): Promise<Uint8Array> {
  const p = await png(10, 10);
  return zipSync({ '../escape.png': p, '../../etc/evil.png': p, '/abs.png': p, 'ok/fine.png': await png(12, 12) });
}

/** Every hostile file, written under `dir`; the key says what it lies about. */
export async function writeHostileFixtures(dir: string): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const jpg = await jpeg(64, 48);
  const files: Record<string, [string, Uint8Array]> = {
    idxHugeCount: ['huge-count-images-idx3-ubyte', idxHeader([0x7fffffff, 28, 0])],
    idxCountPastData: ['past-data-images-idx3-ubyte', idxHeader([1_000_000, 28, 28], 784)],
    idxZeroDim: ['zero-dim-images-idx3-ubyte', idxHeader([10, 0, 28])],
    idxTruncated: ['cut-images-idx3-ubyte', idxHeader([10, 28, 28], 5 * 784)],
    idxBadMagic: ['magic-images-idx3-ubyte', idxHeader([1, 28, 28], 784, [0x50, 0x4b, 0x08])],
    npyHugeShape: ['huge-shape.npy', npyRaw(npyDict('|u1', [0x7fffffff, 28, 28]), 784)],
    npyBadDtype: ['bad-dtype.npy', npyRaw(npyDict('<c16', [2, 28, 28]), 2 * 784 * 16)],
    npyTruncated: ['cut.npy', npy([10, 28, 28], new Uint8Array(10 * 784)).subarray(0, 2000)],
    npyHeaderPastEnd: ['header-past-end.npy', npyRaw(npyDict('|u1', [1, 28, 28]), 0, 60_000)],
    zipEscape: ['escape.zip', await escapingZip()],
    zipBomb: ['bomb.zip', zipBomb(64_000_000)],
    pngLyingIhdr: ['lying-ihdr.png', await hugePng(0x7fffffff, 8)],
    jpegTruncated: ['cut.jpg', jpg.subarray(0, Math.floor(jpg.length / 2))],
    empty: ['empty.png', new Uint8Array(0)],
  };
  const paths: Record<string, string> = {};
  for (const [key, [name, bytes]] of Object.entries(files)) {
    paths[key] = join(dir, name);
    await writeFile(paths[key], bytes);
  }
  return paths;
}
