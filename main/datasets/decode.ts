/**
 * Image decoding with sharp: sniff the format from the bytes, cap pixels (decompression bombs),
 * resize to a square (centre-crop or letterbox) and return packed uint8 pixels.
 * Failures are SkipErrors with a reason the validation report can show.
 */
import sharp from 'sharp';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { SkipError } from './errors';
import { checkDeclaredSides, pngSides } from './image-header';

/** Largest image we decode: 64 megapixels (an 8K×8K photo). Bigger headers are decompression bombs. */
export const MAX_INPUT_PIXELS = 64 * 1024 * 1024;
/** Largest image file we read. */
export const MAX_IMAGE_BYTES = 128 * 1024 * 1024;

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.jfif', '.webp', '.gif', '.bmp', '.tif', '.tiff']);

sharp.cache(false);

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'tiff';

/** The format the bytes say they are (not the file name). */
export function sniffImage(b: Uint8Array): ImageFormat | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) return 'tiff';
  return undefined;
}

export interface DecodeOptions {
  size: number;
  fit: 'crop' | 'letterbox';
  /** 1 = greyscale, 3 = sRGB, 'auto' = 3 channels but report whether the source was greyscale. */
  channels: 1 | 3 | 'auto';
}

export interface Decoded {
  /** size*size*channels, channels = 1 when opts.channels is 1, else 3 */
  pixels: Uint8Array;
  /** The source had one (grey) channel, so a 3-channel copy is redundant. */
  grey: boolean;
}

export function classifySharpError(err: unknown): SkipError {
  const msg = err instanceof Error ? err.message : String(err);
  // libspng says 'image width exceeds user limit' for sides past its own cap, before the pixel limit applies
  if (/pixel limit|exceeds (user )?limit|too large|dimensions/i.test(msg)) return new SkipError('too-large', msg);
  if (/premature end|truncat|unexpected end|not enough|short read|end of (file|stream)|EOF|out of data|Read Error|read error/i.test(msg)) return new SkipError('truncated', msg);
  if (/unsupported image format|bmp|magick/i.test(msg)) return new SkipError('unsupported', msg);
  return new SkipError('corrupt', msg);
}

/** BMP is not a libvips loader in the prebuilt sharp: decode uncompressed 24/32-bit and 8-bit grey BMPs here. */
function bmpToRaw(b: Uint8Array): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 54) throw new SkipError('truncated', 'BMP header cut short');
  const off = v.getUint32(10, true);
  const width = v.getInt32(18, true);
  const rawH = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const height = Math.abs(rawH);
  if (width <= 0 || height === 0) throw new SkipError('corrupt', 'BMP has no pixels');
  if (width * height > MAX_INPUT_PIXELS) throw new SkipError('too-large', `BMP is ${width}×${height}, over the ${MAX_INPUT_PIXELS}-pixel limit`);
  if (compression !== 0 && compression !== 3) throw new SkipError('unsupported', `compressed BMP (method ${compression})`);
  if (bpp !== 24 && bpp !== 32 && bpp !== 8) throw new SkipError('unsupported', `${bpp}-bit BMP`);
  const bytesPP = bpp / 8;
  const stride = Math.ceil((width * bytesPP) / 4) * 4;
  if (off + stride * height > b.length) throw new SkipError('truncated', 'BMP pixel data cut short');
  let palette: Uint8Array | undefined;
  if (bpp === 8) palette = b.subarray(54, off);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const srcRow = off + (rawH > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (bpp === 8) {
        const p = b[srcRow + x]! * 4;
        out[o] = palette?.[p + 2] ?? b[srcRow + x]!;
        out[o + 1] = palette?.[p + 1] ?? b[srcRow + x]!;
        out[o + 2] = palette?.[p] ?? b[srcRow + x]!;
      } else {
        const s = srcRow + x * bytesPP;
        out[o] = b[s + 2]!;
        out[o + 1] = b[s + 1]!;
        out[o + 2] = b[s]!;
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}

export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions): Promise<Decoded> {
  if (bytes.length === 0) throw new SkipError('empty', 'file is empty');
  if (bytes.length > MAX_IMAGE_BYTES) throw new SkipError('too-large', `file is ${bytes.length} bytes, over ${MAX_IMAGE_BYTES}`);
  const format = sniffImage(bytes);
  if (!format) throw new SkipError('not-an-image', 'the bytes are not PNG, JPEG, WebP, GIF, BMP or TIFF');
  if (format === 'bmp') {
    const raw = bmpToRaw(bytes);
    return decodeWith(() => sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } }), opts);
  }
  if (format === 'png') checkDeclaredSides(pngSides(bytes), MAX_INPUT_PIXELS);
  return decodeWith(() => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', pages: 1 }), opts);
}

/**
 * Files up to this size are read in one synchronous open/fstat/read/close and decoded from memory.
 * Handing libvips a path costs more than the read for small files: its loader search opens the file once
 * per candidate loader (~17 opens and ~60 seeks a JPEG, measured with strace) and maps it, and every
 * munmap in a multi-threaded process is a TLB shootdown across cores. A 1 MB read from the page cache
 * blocks the event loop for well under a millisecond.
 */
export const READ_IN_MEMORY_MAX = 1 << 20;

/**
 * Decode an image file. Small files (the common case for datasets) are read here and decoded from memory;
 * bigger ones are handed to libvips by path so they are never held in JS memory. On failure of the path
 * route the head of the file is read to tell empty / not-an-image / BMP apart, and BMPs are decoded from bytes.
 */
export async function decodeImageFile(path: string, opts: DecodeOptions): Promise<Decoded> {
  const bytes = readSmallFile(path);
  if (bytes) return decodeImage(bytes, opts);
  try {
    return await decodeWith(() => sharp(path, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning', pages: 1 }), opts);
  } catch (err) {
    if (!(err instanceof SkipError) || err.reason === 'too-large' || err.reason === 'truncated') throw err;
    const fh = await open(path, 'r');
    let head: Uint8Array;
    let size: number;
    try {
      size = (await fh.stat()).size;
      if (size === 0) throw new SkipError('empty', 'file is empty');
      head = new Uint8Array(16);
      await fh.read(head, 0, 16, 0);
    } finally {
      await fh.close();
    }
    const format = sniffImage(head);
    if (!format) throw new SkipError('not-an-image', 'the bytes are not PNG, JPEG, WebP, GIF, BMP or TIFF');
    if (format === 'bmp') {
      if (size > MAX_IMAGE_BYTES) throw new SkipError('too-large', `file is ${size} bytes, over ${MAX_IMAGE_BYTES}`);
      return decodeImage(new Uint8Array(await readFile(path)), opts);
    }
    throw err;
  }
}

/** The whole file when it is at most READ_IN_MEMORY_MAX bytes; undefined when bigger or unreadable (the path route reports why). */
function readSmallFile(path: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > READ_IN_MEMORY_MAX) return undefined;
    const buf = Buffer.allocUnsafeSlow(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === size ? buf : buf.subarray(0, off);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

async function decodeWith(make: () => sharp.Sharp, opts: DecodeOptions): Promise<Decoded> {
  const resizeOpts: sharp.ResizeOptions =
    opts.fit === 'crop'
      ? { width: opts.size, height: opts.size, fit: 'cover', position: 'centre' }
      : { width: opts.size, height: opts.size, fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 1 } };
  try {
    let img = make().resize(resizeOpts);
    if (opts.channels === 1) img = img.greyscale();
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const expected = opts.size * opts.size;
    const px = new Uint8Array(data.buffer, data.byteOffset, data.length);
    // alpha is composited onto black: p·a/255
    const flat = info.channels === 2 || info.channels === 4 ? dropAlpha(px, info.channels, expected) : px;
    const c = info.channels === 2 ? 1 : info.channels === 4 ? 3 : info.channels;
    if (opts.channels === 1) return { pixels: c === 1 ? flat : takeFirstChannel(flat, c, expected), grey: true };
    if (c === 1) return { pixels: greyToRgb(flat, expected), grey: true };
    if (c === 3) return { pixels: flat, grey: isGrey(flat) };
    // CMYK or other spaces: convert explicitly.
    const again = await make().resize(resizeOpts).toColourspace('srgb').flatten({ background: { r: 0, g: 0, b: 0 } }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { pixels: takeFirstChannels(again.data, again.info.channels, expected), grey: false };
  } catch (err) {
    if (err instanceof SkipError) throw err;
    throw classifySharpError(err);
  }
}

function dropAlpha(d: Uint8Array, c: 2 | 4, n: number): Uint8Array {
  const k = c - 1;
  const out = new Uint8Array(n * k);
  for (let i = 0; i < n; i++) {
    const a = d[i * c + k]!;
    for (let j = 0; j < k; j++) out[i * k + j] = Math.round((d[i * c + j]! * a) / 255);
  }
  return out;
}

/** Every pixel has R = G = B. */
function isGrey(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return false;
  return true;
}

function greyToRgb(g: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g[i]!;
  return out;
}

function takeFirstChannel(d: Uint8Array, c: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = d[i * c]!;
  return out;
}

function takeFirstChannels(d: Uint8Array, c: number, n: number): Uint8Array {
  if (c === 3) return new Uint8Array(d.buffer, d.byteOffset, n * 3);
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[3 * i + k] = d[i * c + Math.min(k, c - 1)]!;
  return out;
}

/** Resize an already-decoded uint8 image (array formats imported at another size). */
export async function resizeRaw(pixels: Uint8Array, w: number, h: number, c: 1 | 3, opts: { size: number; fit: 'crop' | 'letterbox'; channels: 1 | 3 }): Promise<Uint8Array> {
  let img = sharp(pixels, { raw: { width: w, height: h, channels: c } });
  if (w !== opts.size || h !== opts.size)
    img = img.resize(
      opts.fit === 'crop'
        ? { width: opts.size, height: opts.size, fit: 'cover' }
        : { width: opts.size, height: opts.size, fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 1 } },
    );
  if (opts.channels === 1 && c === 3) img = img.greyscale();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const n = opts.size * opts.size;
  if (opts.channels === 1) return info.channels === 1 ? new Uint8Array(data) : takeFirstChannel(data, info.channels, n);
  return info.channels === 1 ? greyToRgb(data, n) : takeFirstChannels(data, info.channels, n);
}
