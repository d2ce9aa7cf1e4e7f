/**
 * Sides an image's header declares, read before any decoder runs, so a header that claims a giant image is
 * refused as too large by our own limit rather than by whatever a codec's error message says.
 */
import { SkipError } from './errors';

/** The IHDR width and height of a PNG, or undefined when the bytes are too short to hold them. */
export function pngSides(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 24) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16, false), height: v.getUint32(20, false) };
}

/** Throws too-large when declared sides exceed the pixel limit (a zero side is left to the decoder: corrupt). */
export function checkDeclaredSides(sides: { width: number; height: number } | undefined, maxPixels: number): void {
  if (!sides) return;
  const { width, height } = sides;
  if (width * height > maxPixels || width > maxPixels || height > maxPixels)
    throw new SkipError('too-large', `header declares ${width}×${height} pixels, over the ${maxPixels}-pixel limit`);
}
