/**
 * export.* calls. Exporting loads the generator with tfjs, so it runs in a child process
 * (the CLI's `export --json`), never in the app's main process.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ApiError } from '../../shared/api';
import { runsDir } from '../runs/store';
import type { Handlers } from './dispatch';
import { nodeEntry } from './entries';
import type { ServiceContext } from './services';

export function exportHandlers(ctx: ServiceContext): Pick<Handlers, 'export.run'> {
  return {
    'export.run': async ({ id, format, out, checkpoint, n, seed }) => {
      const runDir = join(runsDir(ctx.workspace), id);
      const dest = out ?? join(ctx.workspace, 'exports', `${id}-${format}-${checkpoint ?? 'latest'}-${Date.now().toString(36)}`);
      const args = ['export', '--run', runDir, '--format', format, '--out', dest, '--json'];
      if (checkpoint !== undefined) args.push('--checkpoint', String(checkpoint));
      if (n !== undefined) args.push('--n', String(n));
      if (seed !== undefined) args.push('--seed', String(seed));
      const entry = nodeEntry('cli');
      const child = fork(entry.path, args, { execArgv: entry.execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
      const last = stdout.trim().split('\n').pop() ?? '';
      let parsed: { error?: string; message?: string } & Record<string, unknown> = {};
      try {
        parsed = JSON.parse(last) as typeof parsed;
      } catch {
        /* not JSON: fall through to the error below */
      }
      if (code !== 0 || parsed.error) {
        const why = (typeof parsed.error === 'string' && parsed.error) || parsed.message || stderr.trim().split('\n').pop() || `exit code ${code}`;
        throw new ApiError('export_failed', `Export of run '${id}' as ${format} failed: ${why}`);
      }
      return parsed as never;
    },
  };
}
