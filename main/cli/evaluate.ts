/** `sngan-studio eval --run <dir> --against <dataset> --workspace DIR [--samples N] [--real N] [--checkpoint STEP] [--seed S] [--json]` */
import { UsageError, intFlag, parseFlags } from './args';
import { evaluateRun } from '../processes/evaluate';
import { initBackend } from '../engine/backend';
import { reportFailure } from './export';

export const evalHelp = `sngan-studio eval --run <dir> --against <dataset> --workspace DIR [--samples N] [--real N] [--checkpoint STEP] [--seed S] [--json]
  Score a run's generator (newest checkpoint unless --checkpoint) against a labelled image dataset of the workspace,
  e.g. a test set it never trained on: FID* and KID* in the app's classifier features (not Inception), and MS-SSIM
  diversity, on N generated images (default 5,000) against up to --real reference images (default 5,000; a seeded
  class-stratified sample, held out of the classifier's own training images).`;

export async function evalCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  let samples: number, real: number, seed: number, checkpoint: number | undefined;
  try {
    ({ flags } = parseFlags(argv, { run: 'string', against: 'string', workspace: 'string', samples: 'string', real: 'string', checkpoint: 'string', seed: 'string', json: 'boolean', help: 'boolean' }));
    if (flags.help) {
      console.log(evalHelp);
      return 0;
    }
    for (const k of ['run', 'against', 'workspace'] as const) if (typeof flags[k] !== 'string' || !flags[k]) throw new UsageError(`--${k} is required`);
    samples = intFlag(flags.samples, 'samples', 5000)!;
    if (samples < 16 || samples > 50_000) throw new UsageError('--samples must be between 16 and 50000');
    real = intFlag(flags.real, 'real', 5000)!;
    if (real < 16 || real > 50_000) throw new UsageError('--real must be between 16 and 50000');
    seed = intFlag(flags.seed, 'seed', 0)!;
    checkpoint = intFlag(flags.checkpoint, 'checkpoint');
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sngan-studio eval: ${err.message}\n\n${evalHelp}`);
      return 2;
    }
    throw err;
  }
  const json = flags.json === true;
  try {
    await initBackend();
    const r = await evaluateRun({
      run: flags.run as string, against: flags.against as string, workspace: flags.workspace as string, samples, real, seed, checkpoint,
      onClassifier: (c) => !json && console.error(`feature classifier ${c.cached ? 'loaded from cache' : 'trained'}: train accuracy ${(100 * c.trainAccuracy).toFixed(1)} %`),
    });
    if (json) console.log(JSON.stringify(r));
    else {
      const e = r.eval;
      console.log(`step ${r.step} against ${r.against}: FID* ${e.classifierFid?.toFixed(4) ?? '–'}, KID* ${e.classifierKid?.toFixed(5) ?? '–'}, MS-SSIM ${e.msssim?.toFixed(3) ?? '–'} (${e.samples} generated, ${e.realSamples ?? '–'} real)`);
    }
    return 0;
  } catch (err) {
    return reportFailure('eval', err, json);
  }
}
