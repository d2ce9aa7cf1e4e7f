/**
 * Colours for the discriminator's decision field (GAN Lab style): where D says "real" the plane is tinted green,
 * where it says "fake" purple, and the decision boundary (logit 0) is the background colour. Strength is
 * |logit| relative to the field's largest, so the picture reads the same for every loss.
 */
export const REAL_RGB: [number, number, number] = [34, 160, 90];
export const FAKE_RGB: [number, number, number] = [140, 80, 200];

export function fieldScale(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m || 1;
}

/** RGBA pixels (n×n, row 0 at the top) for an ImageData; `bg` is the panel colour the tints blend from. */
export function fieldRgba(values: ArrayLike<number>, n: number, bg: [number, number, number], maxAlpha = 0.62): Uint8ClampedArray {
  if (values.length !== n * n) throw new Error(`field has ${values.length} values, expected ${n}×${n}`);
  const scale = fieldScale(values);
  const out = new Uint8ClampedArray(n * n * 4);
  for (let i = 0; i < n * n; i++) {
    const v = Number.isFinite(values[i]) ? values[i] : 0;
    const t = Math.tanh((2 * Math.abs(v)) / scale) * maxAlpha;
    const c = v >= 0 ? REAL_RGB : FAKE_RGB;
    out[i * 4] = bg[0] + (c[0] - bg[0]) * t;
    out[i * 4 + 1] = bg[1] + (c[1] - bg[1]) * t;
    out[i * 4 + 2] = bg[2] + (c[2] - bg[2]) * t;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** [x0, y0, x1, y1, …] → chart points. */
export function toXY(flat: ArrayLike<number>): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = new Array(Math.floor(flat.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = { x: flat[2 * i], y: flat[2 * i + 1] };
  return out;
}

/** Share of generated points D calls real (logit > 0 at their cell), a one-number summary under the plot. */
export function fooledShare(fake: ArrayLike<number>, field: { n: number; bounds: readonly number[]; values: ArrayLike<number> }): number {
  const [x0, x1, y0, y1] = field.bounds;
  const n = field.n;
  let inside = 0;
  let fooled = 0;
  for (let i = 0; i + 1 < fake.length; i += 2) {
    const c = Math.floor(((fake[i] - x0) / (x1 - x0)) * n);
    const r = Math.floor(((y1 - fake[i + 1]) / (y1 - y0)) * n);
    if (c < 0 || r < 0 || c >= n || r >= n) continue;
    inside++;
    if (field.values[r * n + c] > 0) fooled++;
  }
  return inside ? fooled / inside : 0;
}
