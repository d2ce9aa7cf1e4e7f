/** Samples as PNG: image grids, one file per image, and 2D scatter plots (sharp encodes). Used by run snapshots and exports. */
import sharp from 'sharp';

/** images: [n, h, w, c] in [-1, 1] → a cols×rows grid PNG with 2px gaps; small images are upscaled. */
export async function imageGridPng(data: Float32Array, shape: number[], cols?: number): Promise<Uint8Array> {
  const [n, h, w, c] = shape;
  const k = cols ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / k);
  const gap = 2;
  const W = k * w + (k + 1) * gap;
  const H = rows * h + (rows + 1) * gap;
  const buf = Buffer.alloc(W * H * 3, 40);
  for (let i = 0; i < n; i++) {
    const ox = gap + (i % k) * (w + gap);
    const oy = gap + Math.floor(i / k) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((i * h + y) * w + x) * c;
        const dst = ((oy + y) * W + ox + x) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const v = data[src + (c === 1 ? 0 : ch)];
          buf[dst + ch] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        }
      }
    }
  }
  const scale = h < 48 ? 2 : 1;
  let img = sharp(buf, { raw: { width: W, height: H, channels: 3 } });
  if (scale > 1) img = img.resize(W * scale, H * scale, { kernel: 'nearest' });
  return new Uint8Array(await img.png().toBuffer());
}

/** D's field as the PNG draws it: logits' sign picks the hue (green: "real", purple: "fake"), |logit| its strength. */
export interface FieldLike {
  n: number;
  bounds: readonly [number, number, number, number];
  values: ArrayLike<number>;
}

/** Background colour of a field cell: white at the decision boundary, tinted by D's verdict, scaled by `scale`. */
export function fieldRgb(v: number, scale: number): [number, number, number] {
  const t = Math.tanh(Math.abs(v) / (scale || 1)) * 0.55;
  const [r, g, b] = v >= 0 ? [76, 175, 110] : [150, 100, 200];
  return [Math.round(255 + (r - 255) * t), Math.round(255 + (g - 255) * t), Math.round(255 + (b - 255) * t)];
}

/**
 * 2D scatter: real modes (grey rings), real points (green) and generated points (orange), over D's field when given.
 * The view is the field's bounds, else the fixed square [-lim, lim]² (lim from the modes when not given).
 */
export async function scatterPng(
  points: Float32Array,
  modes: [number, number][] = [],
  lim?: number,
  size = 320,
  field?: FieldLike,
  real?: ArrayLike<number>,
): Promise<Uint8Array> {
  let L = lim ?? 0;
  if (!L) {
    for (const [x, y] of modes) L = Math.max(L, Math.abs(x), Math.abs(y));
    L = L ? L * 1.4 : 3;
  }
  const [x0, x1, y0, y1] = field?.bounds ?? [-L, L, -L, L];
  const buf = Buffer.alloc(size * size * 3, 255);
  const px = (x: number) => Math.round(((x - x0) / (x1 - x0)) * (size - 1));
  const py = (y: number) => Math.round(((y1 - y) / (y1 - y0)) * (size - 1));
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const o = (y * size + x) * 3;
    buf[o] = r;
    buf[o + 1] = g;
    buf[o + 2] = b;
  };
  if (field && field.n > 0 && field.values.length === field.n * field.n) {
    let scale = 0;
    for (let i = 0; i < field.values.length; i++) scale = Math.max(scale, Math.abs(field.values[i]));
    for (let y = 0; y < size; y++) {
      const r = Math.min(field.n - 1, Math.floor((y / size) * field.n));
      for (let x = 0; x < size; x++) {
        const c = Math.min(field.n - 1, Math.floor((x / size) * field.n));
        put(x, y, ...fieldRgb(field.values[r * field.n + c], scale));
      }
    }
  }
  // axes
  for (let i = 0; i < size; i++) {
    put(px(0), i, 215, 215, 215);
    put(i, py(0), 215, 215, 215);
  }
  for (const [mx, my] of modes) {
    const cx = px(mx);
    const cy = py(my);
    for (let a = 0; a < 64; a++) put(Math.round(cx + 7 * Math.cos((a * Math.PI) / 32)), Math.round(cy + 7 * Math.sin((a * Math.PI) / 32)), 150, 150, 150);
  }
  const dot = (pts: ArrayLike<number>, r: number, g: number, b: number) => {
    for (let i = 0; i + 1 < pts.length; i += 2) {
      const x = px(pts[i]);
      const y = py(pts[i + 1]);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (Math.abs(dx) + Math.abs(dy) < 2) put(x + dx, y + dy, r, g, b);
    }
  };
  if (real) dot(real, 30, 120, 70);
  dot(points, 230, 110, 20);
  return new Uint8Array(await sharp(buf, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
}

/** Samples as one PNG: a grid of images, or a scatter plot of 2D points. */
export async function gridPng(s: { data: Float32Array; shape: number[] }): Promise<Uint8Array> {
  if (s.shape.length === 2) return scatterPng(s.data);
  return imageGridPng(s.data, s.shape);
}

/** One PNG per sample (images), grey or RGB at native resolution. */
export async function individualPngs(s: { data: Float32Array; shape: number[] }): Promise<Uint8Array[]> {
  if (s.shape.length !== 4) throw new Error('individual PNGs need image samples (this generator makes points)');
  const [n, h, w, c] = s.shape;
  const per = h * w * c;
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const buf = Buffer.alloc(per);
    for (let j = 0; j < per; j++) buf[j] = Math.max(0, Math.min(255, Math.round((s.data[i * per + j] + 1) * 127.5)));
    out.push(new Uint8Array(await sharp(buf, { raw: { width: w, height: h, channels: c as 1 | 3 } }).png().toBuffer()));
  }
  return out;
}
