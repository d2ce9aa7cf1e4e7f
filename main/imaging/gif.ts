/** Timelapse GIF from PNG frames (a run's fixed-latent snapshots, in step order). */
import sharp from 'sharp';
import * as gifencNs from 'gifenc';
import { ExportError } from '../../shared/export-error';

type GifLib = typeof gifencNs.default;
/** gifenc ships CommonJS (Node: everything under `default`) and ESM (bundlers: named exports, `default` = GIFEncoder). */
const ns = gifencNs as unknown as GifLib & { default?: GifLib };
const gifenc: GifLib = typeof ns.GIFEncoder === 'function' ? ns : ns.default!;

/** Frames keep the first frame's size (later ones are letterboxed to it); an unreadable frame names its file. */
export async function timelapseGif(frames: { file: string; bytes: Uint8Array }[], opts: { frameMs?: number } = {}): Promise<Uint8Array> {
  let width = 0;
  let height = 0;
  const enc = gifenc.GIFEncoder();
  for (const f of frames) {
    try {
      let img = sharp(f.bytes);
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
  return enc.bytes();
}
