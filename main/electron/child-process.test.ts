// The desktop app's ChildLauncher (utilityProcess through the bridge entry), driven here by a stand-in forker
// that starts the same bridge entry with Node: argv, stdout, IPC messages and exit codes must all come through.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { forkChild, launchChild, setChildLauncher } from '../services/child-launch';
import { nodeEntry } from '../processes/entries';
import { utilityChildLauncher, WORKER_ARG, type UtilityForker, type UtilityProcessLike } from './trainer-process';
import { argvForWorker } from './utility-bridge';

const bridge = fileURLToPath(new URL('./trainer-entry.ts', import.meta.url));

/** A utilityProcess look-alike over child_process.fork (postMessage → send, exit(code)). */
const nodeForker: UtilityForker = {
  fork(modulePath, args, options) {
    const c: ChildProcess = fork(modulePath, args ?? [], { execArgv: ['--import', 'tsx', ...(options?.execArgv ?? [])], env: options?.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const p = new EventEmitter() as EventEmitter & UtilityProcessLike;
    Object.assign(p, { pid: c.pid, stdout: c.stdout, stderr: c.stderr, postMessage: (m: unknown) => c.send(m as never), kill: () => c.kill() });
    c.on('spawn', () => p.emit('spawn'));
    c.on('message', (m) => p.emit('message', m));
    c.on('exit', (code) => p.emit('exit', code ?? 1));
    return p;
  },
};

afterAll(() => setChildLauncher(forkChild));

describe('utilityChildLauncher', () => {
  it('gives the worker the argv it would have had directly', () => {
    expect(argvForWorker(['electron', `${WORKER_ARG}/app/cli.js`, 'export', '--json'])).toEqual(['electron', '/app/cli.js', 'export', '--json']);
    expect(argvForWorker(['electron', 'entry.js', `${WORKER_ARG}/app/cli.js`])).toEqual(['electron', '/app/cli.js']);
  });

  it('runs the CLI through the bridge entry: its stdout and exit code come back', async () => {
    setChildLauncher(utilityChildLauncher(nodeForker, () => bridge));
    const entry = nodeEntry('cli');
    const child = launchChild({ path: entry.path, execArgv: [], args: ['--help'], stdout: 'pipe' });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out).toContain('sngan-studio');
  }, 60_000);

  it("carries the child's IPC messages (the backend probe answers over them)", async () => {
    setChildLauncher(utilityChildLauncher(nodeForker, () => bridge));
    const entry = nodeEntry('probe');
    const child = launchChild({ path: entry.path, execArgv: [], args: ['--backend', 'cpu'] });
    const reply = await new Promise<unknown>((resolve) => child.on('message', resolve));
    expect(reply).toMatchObject({ name: 'cpu' });
  }, 60_000);
});
