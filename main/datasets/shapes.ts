/**
 * builtin:shapes — a small image set generated procedurally (no download): 32×32 RGB, four classes
 * (circle, square, triangle, cross), random size, position and colours on a dark background.
 * Deterministic: the same seed gives the same bytes.
 */
export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'cross'];
export const SHAPES_SIZE = 32;
export const SHAPES_PER_CLASS = 1500;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inside(cls: number, x: number, y: number, cx: number, cy: number, r: number): boolean {
  const dx = x - cx;
  const dy = y - cy;
  switch (cls) {
    case 0:
      return dx * dx + dy * dy <= r * r;
    case 1:
      return Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
    case 2: // upward triangle
      return dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= ((dy + r) / (1.8 * r)) * r;
    default:
      return (Math.abs(dx) <= r * 0.3 && Math.abs(dy) <= r) || (Math.abs(dy) <= r * 0.3 && Math.abs(dx) <= r);
  }
}

export function generateShapes(perClass = SHAPES_PER_CLASS, seed = 1234): { pixels: Uint8Array; labels: Uint8Array; count: number; size: number } {
  const S = SHAPES_SIZE;
  const count = perClass * SHAPE_CLASSES.length;
  const pixels = new Uint8Array(count * S * S * 3);
  const labels = new Uint8Array(count);
  const rng = mulberry32(seed);
  for (let n = 0; n < count; n++) {
    const cls = n % SHAPE_CLASSES.length; // interleaved so any prefix is balanced
    labels[n] = cls;
    const r = 5 + rng() * 7;
    const cx = r + rng() * (S - 2 * r);
    const cy = r + rng() * (S - 2 * r);
    const bg = [rng() * 60, rng() * 60, rng() * 60];
    const hue = rng() * 6;
    const fg = [0, 1, 2].map((k) => 90 + 165 * Math.max(0, Math.min(1, Math.abs(((hue + k * 2) % 6) - 3) - 1)));
    const o = n * S * S * 3;
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const c = inside(cls, x + 0.5, y + 0.5, cx, cy, r) ? fg : bg;
        const p = o + (y * S + x) * 3;
        pixels[p] = c[0]!;
        pixels[p + 1] = c[1]!;
        pixels[p + 2] = c[2]!;
      }
  }
  return { pixels, labels, count, size: S };
}
