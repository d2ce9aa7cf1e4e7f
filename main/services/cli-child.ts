/**
 * Runs a CLI command (`export`, `sample`…) with `--json` in a child process and returns its last JSON line.
 * The main process never loads tfjs; anything that needs a generator goes through here.
 */
import { launchChild } from './child-launch';
import { nodeEntry } from '../processes/entries';
import { limiter } from './limiter';

/** Each child loads tfjs and a generator (hundreds of MB): two at a time, a few more queued, the rest refused. */
const children = limiter(2, 8, 'export and sampling jobs');

export interface CliOutcome {
  code: number;
  /** The last stdout line parsed as JSON ({} when it was not JSON). */
  json: { error?: string; message?: string } & Record<string, unknown>;
  stderr: string;
}

export function runCliJson(args: string[]): Promise<CliOutcome> {
  return children.run(() => runChild(args));
}

async function runChild(args: string[]): Promise<CliOutcome> {
  const entry = nodeEntry('cli');
  const child = launchChild({ path: entry.path, execArgv: entry.execArgv, args, stdout: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer | string) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer | string) => (stderr += d.toString()));
  const code = await new Promise<number>((resolve) => {
    child.on('error', (e) => {
      stderr += `\n${e.message}`;
      resolve(1);
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  let json: CliOutcome['json'] = {};
  try {
    const parsed: unknown = JSON.parse(last);
    if (parsed && typeof parsed === 'object') json = parsed as CliOutcome['json'];
  } catch {
    /* not JSON: the caller reports stderr */
  }
  return { code, json, stderr };
}

/** Why a CLI child failed, in one line; undefined when it succeeded. */
export function cliFailure(o: CliOutcome): string | undefined {
  if (o.code === 0 && !o.json.error) return undefined;
  const lastErr = o.stderr
    .trim()
    .split('\n')
    .pop()
    ?.replace(/^sngan-studio \w+: /, '');
  return (typeof o.json.error === 'string' && o.json.error) || o.json.message || lastErr || `exit code ${o.code}`;
}
