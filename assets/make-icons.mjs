// Derives the platform icons from assets/icon.png (512×512): Linux PNG set, Windows .ico, macOS .icns.
// Run once after changing icon.png: `node assets/make-icons.mjs`. Both containers embed PNGs, which
// every supported Windows and macOS version reads.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const dir = dirname(fileURLToPath(import.meta.url));
const src = join(dir, 'icon.png');
const png = (size) => sharp(src).resize(size, size, { kernel: 'lanczos3' }).png({ compressionLevel: 9 }).toBuffer();

mkdirSync(join(dir, 'icons'), { recursive: true });
for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) writeFileSync(join(dir, 'icons', `${size}x${size}.png`), await png(size));

// ICO: header, one 16-byte entry per image, then the PNG data.
const icoSizes = [16, 24, 32, 48, 64, 128, 256];
const images = await Promise.all(icoSizes.map(png));
const header = Buffer.alloc(6 + 16 * images.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(images.length, 4);
let offset = header.length;
images.forEach((img, i) => {
  const e = 6 + 16 * i;
  header.writeUInt8(icoSizes[i] >= 256 ? 0 : icoSizes[i], e);
  header.writeUInt8(icoSizes[i] >= 256 ? 0 : icoSizes[i], e + 1);
  header.writeUInt16LE(1, e + 4); // colour planes
  header.writeUInt16LE(32, e + 6); // bits per pixel
  header.writeUInt32LE(img.length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += img.length;
});
writeFileSync(join(dir, 'icon.ico'), Buffer.concat([header, ...images]));

// ICNS: 'icns' + total length, then (type, length, PNG) chunks.
const icnsTypes = [['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512]];
const chunks = await Promise.all(
  icnsTypes.map(async ([type, size]) => {
    const data = await png(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  }),
);
const body = Buffer.concat(chunks);
const icnsHead = Buffer.alloc(8);
icnsHead.write('icns', 0, 'ascii');
icnsHead.writeUInt32BE(body.length + 8, 4);
writeFileSync(join(dir, 'icon.icns'), Buffer.concat([icnsHead, body]));
console.log('icons written');
