/**
 * `sngan-studio export --run <dir> --format tfjs|onnx|pytorch|png|gif|html --out DIR [--checkpoint STEP] [--n N] [--seed S] [--individual] [--json]`
 * `sngan-studio sample --run <dir> --n N --seed S --out FILE.png [--checkpoint STEP] [--json]` lives in sample.ts.
 */
import { UsageError, intFlag, parseFlags } from './args';
import { EXPORT_FORMATS, ExportError, exportRun, type ExportFormat } from '../processes/export';
import { initBackend } from '../engine/backend';

/** One file per sample, for FID/KID (10k–50k samples), written as they are made. */
export const MAX_INDIVIDUAL = 50_000;

/** A file list for one line: every name when short, else the count and the ends. */
export function listFiles(files: string[]): string {
  if (files.length <= 8) return files.join(', ');
  return `${files.length.toLocaleString('en')} files (${files.slice(0, 2).join(', ')} … ${files.slice(-2).join(', ')})`;
}

export const exportHelp = `sngan-studio export --run <dir> --format tfjs|onnx|pytorch|png|gif|html --out DIR [--checkpoint STEP] [--n N] [--seed S] [--individual] [--calibration N] [--json]
  Export a run's generator (EMA weights when the run keeps them; spectral norm folded, batch norm frozen) at a
  saved checkpoint (default: the newest) into the new folder DIR, with a manifest.json:
    tfjs  model.json + weights.bin (stock tf.loadLayersModel), NHWC output in [-1, 1]
    onnx  generator.onnx (opset 13, dynamic batch), NCHW output in [-1, 1], checked in onnxruntime
    pytorch  generator.safetensors + generator.py (load_generator() -> torch.nn.Module), NCHW output in [-1, 1]
    png   grid.png of N samples (default 64) from seed S, or N files with --individual
    gif   timelapse.gif of the run's samples/step-*.png snapshots
    html  standalone sampler page (open index.html from disk): new seed, interpolation
  --calibration N: latents whose statistics freeze batch norm (default 128).
  Nothing is written unless the export completes; a damaged run folder names the bad file.`;

/** Shared by export and sample: print a failure, return the exit code. */
export function reportFailure(cmd: string, err: unknown, json: boolean): number {
  const message = err instanceof Error ? err.message : String(err);
  if (json) console.log(JSON.stringify({ error: message, file: err instanceof ExportError ? err.file : undefined }));
  console.error(`sngan-studio ${cmd}: ${message}`);
  return 1;
}

export async function exportCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  let format: ExportFormat;
  let checkpoint: number | undefined, n: number | undefined, seed: number | undefined, calibration: number | undefined;
  try {
    ({ flags } = parseFlags(argv, { run: 'string', format: 'string', out: 'string', checkpoint: 'string', n: 'string', seed: 'string', individual: 'boolean', calibration: 'string', json: 'boolean', help: 'boolean' }));
    if (flags.help) {
      console.log(exportHelp);
      return 0;
    }
    if (typeof flags.run !== 'string' || !flags.run) throw new UsageError('--run <dir> is required');
    if (typeof flags.out !== 'string' || !flags.out) throw new UsageError('--out DIR is required');
    if (!EXPORT_FORMATS.includes(flags.format as ExportFormat)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
    format = flags.format as ExportFormat;
    checkpoint = intFlag(flags.checkpoint, 'checkpoint');
    n = intFlag(flags.n, 'n');
    const maxN = flags.individual ? MAX_INDIVIDUAL : 4096;
    if (n !== undefined && (n < 1 || n > maxN)) throw new UsageError(`--n must be between 1 and ${maxN}${flags.individual ? '' : ' for a grid (use --individual for up to 50,000 files)'}`);
    seed = intFlag(flags.seed, 'seed');
    calibration = intFlag(flags.calibration, 'calibration');
    if (calibration !== undefined && (calibration < 2 || calibration > 4096)) throw new UsageError('--calibration must be between 2 and 4096');
    if (flags.individual && format !== 'png') throw new UsageError('--individual only applies to --format png');
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sngan-studio export: ${err.message}\n\n${exportHelp}`);
      return 2;
    }
    throw err;
  }
  const json = flags.json === true;
  try {
    if (format !== 'gif') await initBackend();
    const r = await exportRun({ run: flags.run as string, format, out: flags.out as string, checkpoint, n, seed, individual: flags.individual === true, calibration });
    if (json) console.log(JSON.stringify(r));
    else {
      const check = r.maxAbsDiff !== undefined ? ` (checked against the app's generator: max |Δ| = ${r.maxAbsDiff.toExponential(2)})` : '';
      console.log(`Exported ${format}${r.step !== undefined ? ` at step ${r.step}` : ''} to ${r.out}: ${listFiles(r.files)}${check}`);
    }
    return 0;
  } catch (err) {
    return reportFailure('export', err, json);
  }
}
