/**
 * export.* calls. Exporting loads the generator with tfjs, so it runs in a child process
 * (the CLI's `export --json`), never in the app's main process.
 */
import { isAbsolute, join } from 'node:path';
import { ApiError } from '../../shared/api';
import { openRunById, RunNotFoundError } from '../runs/store';
import { cliFailure, runCliJson } from './cli-child';
import type { Handlers } from './dispatch';
import type { ServiceContext } from './context';

export function exportHandlers(ctx: ServiceContext): Pick<Handlers, 'export.run'> {
  return {
    'export.run': async ({ id, format, out, checkpoint, n, seed }) => {
      // Checked before any child is forked: the run must be one of this workspace's, `out` a full path.
      const run = await openRunById(ctx.workspace, id).catch((e: Error) => {
        throw e instanceof RunNotFoundError ? new ApiError('not_found', e.message) : e;
      });
      if (out !== undefined && !isAbsolute(out)) throw new ApiError('invalid_request', `out: a full path is needed (got '${out}')`);
      const runDir = run.dir;
      const dest = out ?? join(ctx.workspace, 'exports', `${id}-${format}-${checkpoint ?? 'latest'}-${Date.now().toString(36)}`);
      const args = ['export', '--run', runDir, '--format', format, '--out', dest, '--json'];
      if (checkpoint !== undefined) args.push('--checkpoint', String(checkpoint));
      if (n !== undefined) args.push('--n', String(n));
      if (seed !== undefined) args.push('--seed', String(seed));
      const r = await runCliJson(args);
      const why = cliFailure(r);
      if (why) throw new ApiError('export_failed', `Export of run '${id}' as ${format} failed: ${why}`);
      return r.json as never;
    },
  };
}
