/**
 * IDX (MNIST / Fashion-MNIST) files, gzipped or not: `*-idx3-ubyte` images (N×H×W uint8) and an optional
 * matching `*-idx1-ubyte` labels file. Format: 2 zero bytes, a type byte (0x08 = uint8), a dimension count,
 * then one big-endian uint32 per dimension, then the data.
 */
import { gunzipSync } from 'node:zlib';
import { SkipError } from './errors';
import { type ArrayBlock, FASHION_MNIST_CLASSES, checkImageShape, digitClasses, maxLabel } from './arrays';

/** Largest decompressed IDX file we accept (Fashion-MNIST train is 47 MB). */
export const MAX_IDX_BYTES = 1 << 30;

export function isIdxName(name: string): 'images' | 'labels' | undefined {
  const base = name.toLowerCase();
  if (/idx3-ubyte(\.gz)?$/.test(base)) return 'images';
  if (/idx1-ubyte(\.gz)?$/.test(base)) return 'labels';
  return undefined;
}

/** The labels file that goes with an images file, by the MNIST naming convention. */
export function labelsNameFor(imagesName: string): string[] {
  const swaps = [imagesName.replace('idx3', 'idx1').replace(/images/g, 'labels'), imagesName.replace('idx3', 'idx1')];
  return [...new Set(swaps.flatMap((n) => [n, n.endsWith('.gz') ? n.slice(0, -3) : `${n}.gz`]))];
}

export function maybeGunzip(buf: Uint8Array): Uint8Array {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf, { maxOutputLength: MAX_IDX_BYTES });
    } catch (err) {
      const msg = (err as Error).message;
      if (/maxOutputLength|buffer length/i.test(msg)) throw new SkipError('too-large', `decompresses past ${MAX_IDX_BYTES} bytes`);
      if (/unexpected end/i.test(msg)) throw new SkipError('truncated', `gzip stream ends early: ${msg}`);
      throw new SkipError('corrupt', `bad gzip stream: ${msg}`);
    }
  }
  return buf;
}

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** `checkDims` sees the header's dims before the data is measured against them. */
export function parseIdx(raw: Uint8Array, checkDims?: (dims: number[]) => void): IdxArray {
  if (raw.length === 0) throw new SkipError('empty', 'file is empty');
  const buf = maybeGunzip(raw);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new SkipError('bad-idx-magic', 'does not start with the IDX magic 00 00');
  if (buf[2] !== 0x08) throw new SkipError('bad-idx-magic', `IDX element type 0x${buf[2]!.toString(16)} is not unsigned byte (0x08)`);
  const ndim = buf[3]!;
  if (ndim < 1 || ndim > 4) throw new SkipError('bad-idx-magic', `IDX with ${ndim} dimensions`);
  const header = 4 + 4 * ndim;
  if (buf.length < header) throw new SkipError('truncated', 'IDX header cut short');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  checkDims?.(dims);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected > MAX_IDX_BYTES) throw new SkipError('too-large', `IDX shape ${dims.join('×')} is too large`);
  // The data must be exactly what the header says: fewer bytes is a cut file, more is a header that lies.
  const have = buf.length - header;
  if (have < expected) throw new SkipError('truncated', `IDX data has ${have} bytes, shape ${dims.join('×')} needs ${expected}`);
  if (have > expected) throw new SkipError('shape-mismatch', `IDX data has ${have} bytes, shape ${dims.join('×')} needs only ${expected}`);
  return { dims, data: buf.subarray(header, header + expected) };
}

/** Images file (+ optional labels file) to an array block. */
export function idxToBlock(source: string, images: Uint8Array, labels?: Uint8Array): ArrayBlock {
  const img = parseIdx(images, (dims) => {
    if (dims.length !== 3) throw new SkipError('shape-mismatch', `IDX images must be N×H×W, got ${dims.join('×')}`);
    checkImageShape(dims[0]!, dims[1]!, dims[2]!, 'IDX file');
  });
  const [count, height, width] = img.dims as [number, number, number];
  let labelArr: Uint8Array | undefined;
  if (labels) {
    const lab = parseIdx(labels);
    if (lab.dims.length !== 1) throw new SkipError('shape-mismatch', `IDX labels must be 1-D, got ${lab.dims.join('×')}`);
    if (lab.dims[0] !== count) throw new SkipError('shape-mismatch', `${count} images but ${lab.dims[0]} labels`);
    labelArr = lab.data;
  }
  const fashion = /fashion/i.test(source);
  const classes = labelArr ? (fashion && maxLabel(labelArr) < 10 ? FASHION_MNIST_CLASSES : digitClasses(maxLabel(labelArr) + 1)) : [];
  return { source, width, height, channels: 1, count, pixels: img.data, labels: labelArr, classes };
}
