/**
 * `sngan-studio sample --run <dir> --n N --seed S --out FILE.png [--checkpoint STEP] [--json]`
 * `sngan-studio sample --run <dir> --interpolate A,B [--steps N] --out FILE.png [--checkpoint STEP] [--json]`
 */
import { UsageError, intFlag, parseFlags } from './args';
import { sampleRun } from '../processes/export';
import { initBackend } from '../engine/backend';
import { reportFailure } from './export';
import { formatLatentRef, interpolateRun, parseLatentRef } from './interpolate';
import type { LatentRef } from '../../shared/api';

export const sampleHelp = `sngan-studio sample --run <dir> --n N --seed S --out FILE.png [--checkpoint STEP] [--json]
  Draw N samples from a run's generator (newest checkpoint unless --checkpoint) with latents from seed S and
  write them as one PNG grid (a scatter plot for 2D point data). The same seed gives the same picture.
sngan-studio sample --run <dir> --interpolate A,B [--steps N] --out FILE.png [--checkpoint STEP] [--json]
  A strip of N images (default 8, 2–32, ends included) along the spherical path (slerp) between two latents.
  A and B are cells of the run's fixed-latent sample grid (0–63, row by row) or seeds written seed:S.`;

export async function sampleCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  let n: number, seed: number, checkpoint: number | undefined;
  let ends: [LatentRef, LatentRef] | undefined;
  let steps = 8;
  try {
    ({ flags } = parseFlags(argv, { run: 'string', n: 'string', seed: 'string', out: 'string', checkpoint: 'string', interpolate: 'string', steps: 'string', json: 'boolean', help: 'boolean' }));
    if (flags.help) {
      console.log(sampleHelp);
      return 0;
    }
    if (typeof flags.run !== 'string' || !flags.run) throw new UsageError('--run <dir> is required');
    if (typeof flags.out !== 'string' || !flags.out) throw new UsageError('--out FILE.png is required');
    if (!/\.png$/i.test(flags.out)) throw new UsageError('--out must name a .png file');
    n = intFlag(flags.n, 'n', 64)!;
    if (n < 1 || n > 4096) throw new UsageError('--n must be between 1 and 4096');
    seed = intFlag(flags.seed, 'seed', 0)!;
    checkpoint = intFlag(flags.checkpoint, 'checkpoint');
    if (typeof flags.interpolate === 'string') {
      const parts = flags.interpolate.split(',');
      if (parts.length !== 2) throw new UsageError('--interpolate takes two ends separated by a comma, e.g. 3,17 or seed:1,seed:2');
      ends = [parseLatentRef(parts[0]!), parseLatentRef(parts[1]!)];
      steps = intFlag(flags.steps, 'steps', 8)!;
      if (steps < 2 || steps > 32) throw new UsageError('--steps must be between 2 and 32');
      if (flags.n !== undefined || flags.seed !== undefined) throw new UsageError('--n and --seed do not apply to --interpolate (use --steps and seed:S ends)');
    } else if (flags.steps !== undefined) throw new UsageError('--steps only applies to --interpolate');
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sngan-studio sample: ${err.message}\n\n${sampleHelp}`);
      return 2;
    }
    throw err;
  }
  const json = flags.json === true;
  try {
    await initBackend();
    if (ends) {
      const r = await interpolateRun({ run: flags.run as string, a: ends[0], b: ends[1], steps, out: flags.out as string, checkpoint });
      if (json) console.log(JSON.stringify({ out: r.out, step: r.step, n: r.n, a: ends[0], b: ends[1] }));
      else console.log(`Wrote ${r.n} interpolated samples (${formatLatentRef(ends[0])} → ${formatLatentRef(ends[1])}, step ${r.step}) to ${r.out}`);
      return 0;
    }
    const r = await sampleRun({ run: flags.run as string, n, seed, out: flags.out as string, checkpoint });
    if (json) console.log(JSON.stringify({ out: r.out, step: r.step, n, seed }));
    else console.log(`Wrote ${n} samples (seed ${seed}, step ${r.step}) to ${r.out}`);
    return 0;
  } catch (err) {
    return reportFailure('sample', err, json);
  }
}
