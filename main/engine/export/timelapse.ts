/** Timelapse GIF of a run's fixed-latent snapshots (samples/step-<n>.png), in step order. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import * as gifencNs from 'gifenc';
import { ExportError } from './load';

type GifLib = typeof gifencNs.default;
/** gifenc ships CommonJS (Node: everything under `default`) and ESM (bundlers: named exports, `default` = GIFEncoder). */
const ns = gifencNs as unknown as GifLib & { default?: GifLib };
const gifenc: GifLib = typeof ns.GIFEncoder === 'function' ? ns : ns.default!;

const STEP_RE = /^step-(\d+)\.png$/;

export async function timelapseGif(runDir: string, opts: { frameMs?: number; maxFrames?: number } = {}): Promise<{ gif: Uint8Array; steps: number[] }> {
  const sdir = path.join(runDir, 'samples');
  const names = await fs.readdir(sdir).catch(() => null);
  if (!names) throw new ExportError(sdir, 'missing (no sample snapshots to make a timelapse from)');
  let frames = names
    .map((n) => STEP_RE.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ step: Number(m[1]), file: path.join(sdir, m[0]) }))
    .sort((a, b) => a.step - b.step);
  if (!frames.length) throw new ExportError(sdir, 'no step-<n>.png snapshots');
  const max = opts.maxFrames ?? 300;
  if (frames.length > max) {
    // Keep first and last, evenly thinned in between.
    const pick = new Set(Array.from({ length: max }, (_, i) => Math.round((i * (frames.length - 1)) / (max - 1))));
    frames = frames.filter((_, i) => pick.has(i));
  }
  let width = 0;
  let height = 0;
  const enc = gifenc.GIFEncoder();
  for (const f of frames) {
    try {
      let img = sharp(await fs.readFile(f.file));
      if (!width) {
        const m = await img.metadata();
        width = m.width ?? 0;
        height = m.height ?? 0;
        if (!width || !height) throw new Error('no image size');
      } else img = img.resize(width, height, { fit: 'contain', kernel: 'nearest', background: { r: 40, g: 40, b: 40 } });
      const rgba = new Uint8Array(await img.ensureAlpha().raw().toBuffer());
      const palette = gifenc.quantize(rgba, 256);
      enc.writeFrame(gifenc.applyPalette(rgba, palette), width, height, { palette, delay: opts.frameMs ?? 200 });
    } catch (e) {
      throw new ExportError(f.file, `unreadable snapshot: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  enc.finish();
  return { gif: enc.bytes(), steps: frames.map((f) => f.step) };
}
