/**
 * Image-sample quality for a finished run: MS-SSIM diversity of generated images and, when the dataset has
 * labels, FID / KID in the feature space of the app's own classifier (metrics/classifier.ts) —
 * NOT Inception-FID; comparable only between runs scored with the same classifier on the same dataset.
 *
 * `gridTiles` recovers the individual images from a sample-grid raster as runs/render.ts lays it out
 * (cols × rows tiles of w × h, 2 px gaps, upscaled ×2 when h < 48). The grid holds 8-bit pixels, so the
 * generated images are quantised exactly as they are stored.
 */
import { msssimDiversity, msssimScales, type ImageBatch } from './ssim';
import { classifierFidKid, type FeatureClassifier } from './classifier';

/** Tiles of a grid raster (channels 3 per pixel, row-major) → NHWC images in [0, 1] with `channels` 1 or 3. */
export function gridTiles(raster: Uint8Array, W: number, H: number, tileW: number, tileH: number, channels: 1 | 3, gap = 2): ImageBatch {
  const scale = tileH < 48 ? 2 : 1;
  const w0 = W / scale, h0 = H / scale;
  const cols = (w0 - gap) / (tileW + gap), rows = (h0 - gap) / (tileH + gap);
  if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1) throw new Error(`a ${W}×${H} raster is not a grid of ${tileW}×${tileH} tiles`);
  const count = cols * rows;
  const data = new Float32Array(count * tileW * tileH * channels);
  for (let i = 0; i < count; i++) {
    const ox = gap + (i % cols) * (tileW + gap), oy = gap + Math.floor(i / cols) * (tileH + gap);
    for (let y = 0; y < tileH; y++)
      for (let x = 0; x < tileW; x++) {
        const src = ((oy + y) * scale * W + (ox + x) * scale) * 3;
        for (let c = 0; c < channels; c++) data[((i * tileH + y) * tileW + x) * channels + c] = raster[src + c] / 255;
      }
  }
  return { count, width: tileW, height: tileH, channels, data };
}

export interface ImageQuality {
  /** Generated images scored. */
  samples: number;
  /** Real images FID/KID compared against. */
  realSamples?: number;
  /** MS-SSIM scales used (metrics/ssim.ts: 5 only from 176 px). */
  msssimScales?: number;
  /** Mean MS-SSIM between random pairs of generated images (lower = more diverse). */
  msssim: number;
  /** Classifier-feature FID / KID (absent without labels). */
  fid?: number;
  kid?: number;
}

export function imageQuality(
  fake: ImageBatch,
  rng: () => number,
  classifier?: { clf: FeatureClassifier; real: Float32Array; nReal: number },
  pairs = 64,
): ImageQuality {
  const q: ImageQuality = { samples: fake.count, msssim: msssimDiversity(fake, pairs, rng), msssimScales: msssimScales(fake.width, fake.height) };
  if (classifier) {
    q.realSamples = classifier.nReal;
    const r = classifierFidKid(classifier.clf, classifier.real, classifier.nReal, Float32Array.from(fake.data), fake.count);
    q.fid = r.fid;
    q.kid = r.kid;
  }
  return q;
}
