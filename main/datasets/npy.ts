/**
 * NumPy `.npy` arrays (and the arrays inside a `.npz`): uint8 or float, shaped NHW, NHWC or NCHW.
 * Floats in [0,1] are scaled by 255, floats in [-1,1] are mapped with (x+1)/2·255, others clamped to 0–255.
 */
import { SkipError } from './errors';
import { type ArrayBlock, checkImageShape, digitClasses, maxLabel } from './arrays';

export interface NpyArray {
  shape: number[];
  /** values as read; uint8 stays a Uint8Array */
  data: Uint8Array | Float64Array | Float32Array | Int32Array | Int16Array | Uint16Array | BigInt64Array;
  dtype: string;
}

const MAX_NPY_ELEMENTS = 2 ** 31;

export function parseNpy(buf: Uint8Array): NpyArray {
  if (buf.length === 0) throw new SkipError('empty', 'file is empty');
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (buf.length < 10 || magic.some((m, i) => buf[i] !== m)) throw new SkipError('corrupt', 'missing the \\x93NUMPY magic');
  const major = buf[6]!;
  if (major < 1 || major > 3) throw new SkipError('unsupported', `npy format version ${major}`);
  const hstart = major === 1 ? 10 : 12;
  if (buf.length < hstart) throw new SkipError('truncated', 'npy header cut short');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (buf.length < hstart + hlen) throw new SkipError('truncated', `npy header claims ${hlen} bytes, the file has ${buf.length - hstart} after the preamble`);
  const header = new TextDecoder().decode(buf.subarray(hstart, hstart + hlen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new SkipError('corrupt', 'unreadable npy header');
  if (fortran) throw new SkipError('unsupported', 'Fortran-ordered arrays are not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new SkipError('corrupt', `bad shape (${shapeText})`);
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_NPY_ELEMENTS) throw new SkipError('too-large', `shape (${shape.join(', ')}) has ${n} elements, over the ${MAX_NPY_ELEMENTS} limit`);
  const types: Record<string, [number, (b: ArrayBuffer, o: number, n: number) => NpyArray['data']]> = {
    u1: [1, (b, o, k) => new Uint8Array(b, o, k)],
    i1: [1, (b, o, k) => Uint8Array.from(new Int8Array(b, o, k), (v) => Math.max(0, v))],
    u2: [2, (b, o, k) => new Uint16Array(b, o, k)],
    i2: [2, (b, o, k) => new Int16Array(b, o, k)],
    i4: [4, (b, o, k) => new Int32Array(b, o, k)],
    i8: [8, (b, o, k) => new BigInt64Array(b, o, k)],
    f4: [4, (b, o, k) => new Float32Array(b, o, k)],
    f8: [8, (b, o, k) => new Float64Array(b, o, k)],
  };
  const endian = descr[0];
  const key = descr.slice(1);
  const t = types[key];
  if (!t || !['<', '|', '='].includes(endian ?? '')) throw new SkipError('unsupported', `dtype ${descr}`);
  const start = hstart + hlen;
  // exactly the bytes dtype × shape need: fewer is a cut file, more is a header that lies about the shape
  const need = n * t[0];
  const have = buf.length - start;
  if (have < need) throw new SkipError('truncated', `data has ${have} bytes, shape (${shape.join(', ')}) of ${descr} needs ${need}`);
  if (have > need) throw new SkipError('shape-mismatch', `data has ${have} bytes, shape (${shape.join(', ')}) of ${descr} needs only ${need}`);
  // copy to an aligned buffer of its own (Buffer#slice would be a view into a shared pool)
  const copy = new Uint8Array(buf.subarray(start, start + need));
  return { shape, data: t[1](copy.buffer, 0, n), dtype: key };
}

function toUint8(a: NpyArray): Uint8Array {
  if (a.data instanceof Uint8Array) return a.data;
  const src = a.data instanceof BigInt64Array ? Float64Array.from(a.data, Number) : a.data;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Uint8Array(src.length);
  const float = a.dtype.startsWith('f');
  const scale = float && max <= 1 && min >= -1 ? (min < 0 ? (v: number) => ((v + 1) / 2) * 255 : (v: number) => v * 255) : (v: number) => v;
  for (let i = 0; i < src.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(scale(src[i]!))));
  return out;
}

export function isLabelArray(a: NpyArray): boolean {
  return a.shape.length === 1 && !a.dtype.startsWith('f');
}

export function npyToBlock(source: string, img: NpyArray, labels?: NpyArray): ArrayBlock {
  const s = img.shape;
  let count: number, h: number, w: number, c: number, layout: 'nhwc' | 'nchw';
  if (s.length === 3) [count, h, w, c, layout] = [s[0]!, s[1]!, s[2]!, 1, 'nhwc'];
  else if (s.length === 4 && [1, 3, 4].includes(s[3]!)) [count, h, w, c, layout] = [s[0]!, s[1]!, s[2]!, s[3]!, 'nhwc'];
  else if (s.length === 4 && [1, 3].includes(s[1]!)) [count, c, h, w, layout] = [s[0]!, s[1]!, s[2]!, s[3]!, 'nchw'];
  else throw new SkipError('shape-mismatch', `array of shape (${s.join(', ')}) is not NHW, NHWC or NCHW images`);
  checkImageShape(count, h, w, `array of shape (${s.join(', ')})`);
  const src = toUint8(img);
  const outC = c === 1 ? 1 : 3;
  const hw = h * w;
  let pixels: Uint8Array;
  if (layout === 'nhwc' && c === outC) pixels = src;
  else {
    pixels = new Uint8Array(count * hw * outC);
    for (let n = 0; n < count; n++)
      for (let p = 0; p < hw; p++)
        for (let k = 0; k < outC; k++) pixels[(n * hw + p) * outC + k] = layout === 'nhwc' ? src[(n * hw + p) * c + k]! : src[(n * c + k) * hw + p]!;
  }
  let labelArr: Uint8Array | undefined;
  if (labels) {
    if (labels.shape.length !== 1 || labels.shape[0] !== count) throw new SkipError('shape-mismatch', `${count} images but ${labels.shape[0]} labels`);
    labelArr = toUint8(labels);
  }
  return { source, width: w, height: h, channels: outC as 1 | 3, count, pixels, labels: labelArr, classes: labelArr ? digitClasses(maxLabel(labelArr) + 1) : [] };
}

/** Pair the image arrays of an .npz with their label arrays (same length; x↔y, images↔labels by name). */
export function pairNpz(arrays: { name: string; array: NpyArray }[]): { images: { name: string; array: NpyArray }; labels?: NpyArray }[] {
  const imgs = arrays.filter((a) => a.array.shape.length >= 3);
  const labs = arrays.filter((a) => isLabelArray(a.array));
  return imgs.map((im) => {
    const same = labs.filter((l) => l.array.shape[0] === im.array.shape[0]);
    const want = im.name.replace(/^x/i, 'y').replace(/images?/i, 'labels');
    const byName = same.find((l) => l.name === want || l.name.replace(/labels?/i, 'labels') === want);
    return { images: im, labels: (byName ?? (same.length === 1 ? same[0] : undefined))?.array };
  });
}
