/** `sngan-studio sample --run <dir> --n N --seed S --out FILE.png [--checkpoint STEP] [--json]` */
import { UsageError, intFlag, parseFlags } from './args';
import { sampleRun } from '../engine/export/index';
import { initBackend } from '../engine/backend';
import { reportFailure } from './export';

export const sampleHelp = `sngan-studio sample --run <dir> --n N --seed S --out FILE.png [--checkpoint STEP] [--json]
  Draw N samples from a run's generator (newest checkpoint unless --checkpoint) with latents from seed S and
  write them as one PNG grid (a scatter plot for 2D point data). The same seed gives the same picture.`;

export async function sampleCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  let n: number, seed: number, checkpoint: number | undefined;
  try {
    ({ flags } = parseFlags(argv, { run: 'string', n: 'string', seed: 'string', out: 'string', checkpoint: 'string', json: 'boolean', help: 'boolean' }));
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
    const r = await sampleRun({ run: flags.run as string, n, seed, out: flags.out as string, checkpoint });
    if (json) console.log(JSON.stringify({ out: r.out, step: r.step, n, seed }));
    else console.log(`Wrote ${n} samples (seed ${seed}, step ${r.step}) to ${r.out}`);
    return 0;
  } catch (err) {
    return reportFailure('sample', err, json);
  }
}
