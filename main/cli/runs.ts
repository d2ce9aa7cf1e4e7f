/** `sngan-studio runs add RUN_DIR --workspace DIR [--json]` and `runs list --workspace DIR [--json]`. */
import path from 'node:path';
import { UsageError, parseFlags } from './args';
import { addExternalRun, listRuns } from '../runs/store';

export const runsHelp = `sngan-studio runs add RUN_DIR --workspace DIR [--json] | runs list --workspace DIR [--json]
  add:  register a run folder trained elsewhere (the PyTorch package's output, a cluster job on a shared disk);
        the app lists it, follows it while it grows, and samples, diagnoses, resumes and exports it like its own.
  list: every run of the workspace, with its state, step and (for runs added by path) where its folder is.`;

export async function runsCommand(argv: string[]): Promise<number> {
  let flags: Record<string, string | boolean | string[]>;
  let positional: string[];
  try {
    ({ flags, positional } = parseFlags(argv, { workspace: 'string', json: 'boolean', help: 'boolean' }));
    if (flags.help) {
      console.log(runsHelp);
      return 0;
    }
    if (positional[0] !== 'add' && positional[0] !== 'list') throw new UsageError('say `runs add RUN_DIR` or `runs list`');
    if (typeof flags.workspace !== 'string' || !flags.workspace) throw new UsageError('--workspace DIR is required');
    if (positional[0] === 'add' && positional.length !== 2) throw new UsageError('runs add takes one RUN_DIR');
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`sngan-studio runs: ${err.message}\n\n${runsHelp}`);
      return 2;
    }
    throw err;
  }
  const workspace = path.resolve(flags.workspace as string);
  if (positional[0] === 'add') {
    try {
      const run = await addExternalRun(workspace, path.resolve(positional[1]!));
      if (flags.json) console.log(JSON.stringify({ id: run.id, dir: run.dir, state: run.status.state, step: run.status.step }));
      else console.log(`Added run ${run.id} (${run.status.state}, step ${run.status.step}) from ${run.dir}`);
      return 0;
    } catch (e) {
      const message = (e as Error).message;
      if (flags.json) console.log(JSON.stringify({ error: message }));
      console.error(`sngan-studio runs add: ${message}`);
      return 1;
    }
  }
  const runs = await listRuns(workspace);
  if (flags.json) console.log(JSON.stringify(runs.map((r) => ({ id: r.id, state: r.status.state, step: r.status.step, steps: r.status.steps, dataset: r.status.dataset, ...(r.external ? { external: r.dir } : {}) }))));
  else for (const r of runs) console.log(`${r.id}  ${r.status.state.padEnd(11)} ${r.status.step}/${r.status.steps}  ${r.status.dataset}${r.external ? `  (${r.dir})` : ''}`);
  return 0;
}
