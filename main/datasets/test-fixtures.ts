/** Builds good and bad import inputs in a temp folder for the tests (not shipped code). */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import sharp from 'sharp';

export async function png(w: number, h: number, colour = '#c03030'): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: colour } }).png().toBuffer();
}
export async function jpeg(w: number, h: number, colour = '#3080c0'): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: colour } }).jpeg().toBuffer();
}

/** A PNG whose IHDR (with a valid CRC) claims width×height: a decompression bomb header. */
export async function hugePng(width: number, height: number): Promise<Buffer> {
  const b = Buffer.from(await png(8, 8));
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
  return b;
}

/** Uncompressed 24-bit BMP (sharp has no BMP encoder). */
export function bmp(w: number, h: number, rgb: [number, number, number]): Buffer {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * h);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(w, 18);
  b.writeInt32LE(h, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) b.set([rgb[2], rgb[1], rgb[0]], 54 + y * stride + x * 3);
  return b;
}

export function idx(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

export function npy(shape: number[], data: Uint8Array | Float32Array): Buffer {
  const descr = data instanceof Uint8Array ? '|u1' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/**
 * root/
 *   photos/cats/{a.png 40×30, b.jpg 120×80, corrupt.png, truncated.jpg, empty.png (0 B), text.png, huge.png (100000² header), notes.txt}
 *   photos/dogs/{c.webp 64×64, d.gif, e.bmp, f.tiff, deep/g.png (nested: class 'dogs')}, photos/dogs/loop -> photos (symlink loop)
 *   archive.zip: {set/cats/z1.png, set/dogs/z2.jpg, ../escape.png, /abs.png, set/bad.png (text)}
 *   bomb.zip: {cats/ok.png, zeros.bin 50 MB of zeros deflated}
 */
export async function buildFixtures(root: string): Promise<{ photos: string; archive: string; bomb: string; good: string[]; bad: Record<string, string> }> {
  const photos = join(root, 'photos');
  const cats = join(photos, 'cats');
  const dogs = join(photos, 'dogs');
  await mkdir(cats, { recursive: true });
  await mkdir(join(dogs, 'deep'), { recursive: true });
  const jpg = await jpeg(120, 80);
  const good: Record<string, Buffer> = {
    [join(cats, 'a.png')]: await png(40, 30),
    [join(cats, 'b.jpg')]: jpg,
    [join(dogs, 'c.webp')]: await sharp({ create: { width: 64, height: 64, channels: 3, background: '#30c030' } }).webp().toBuffer(),
    [join(dogs, 'd.gif')]: await sharp({ create: { width: 20, height: 50, channels: 3, background: '#c0c030' } }).gif().toBuffer(),
    [join(dogs, 'e.bmp')]: bmp(17, 9, [10, 200, 30]),
    [join(dogs, 'f.tiff')]: await sharp({ create: { width: 33, height: 33, channels: 3, background: '#3030c0' } }).tiff().toBuffer(),
    [join(dogs, 'deep', 'g.png')]: await png(200, 100, '#808080'),
  };
  const corrupt = Buffer.from(await png(32, 32));
  corrupt.fill(0x41, 37, 60); // IHDR ok-ish start, body destroyed
  const bad: Record<string, [string, Buffer]> = {
    corrupt: [join(cats, 'corrupt.png'), corrupt],
    truncated: [join(cats, 'truncated.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.6))],
    empty: [join(cats, 'empty.png'), Buffer.alloc(0)],
    text: [join(cats, 'text.png'), Buffer.from('this is not an image\n')],
    huge: [join(cats, 'huge.png'), await hugePng(100_000, 100_000)],
    txt: [join(cats, 'notes.txt'), Buffer.from('hello')],
  };
  for (const [p, b] of Object.entries(good)) await writeFile(p, b);
  for (const [p, b] of Object.values(bad)) await writeFile(p, b);
  await symlink(photos, join(dogs, 'loop'));

  const archive = join(root, 'archive.zip');
  await writeFile(
    archive,
    zipSync({
      'set/cats/z1.png': await png(10, 10),
      'set/dogs/z2.jpg': await jpeg(70, 90),
      '../escape.png': await png(10, 10),
      '/abs.png': await png(10, 10),
      'set/bad.png': strToU8('nope'),
    }),
  );
  const bomb = join(root, 'bomb.zip');
  await writeFile(bomb, zipSync({ 'cats/ok.png': await png(12, 12), 'zeros.bin': [new Uint8Array(50_000_000), { level: 9 }] }));
  return { photos, archive, bomb, good: Object.keys(good), bad: Object.fromEntries(Object.entries(bad).map(([k, v]) => [k, v[0]])) };
}
