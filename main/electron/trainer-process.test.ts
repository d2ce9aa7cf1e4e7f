import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { defaultEntryPath, utilityTrainerLauncher, WORKER_ARG, type TrainerLauncher, type UtilityForker, type UtilityProcessLike } from './trainer-process';
import type { TrainerLaunch } from '../services/trainer-host';
import { installParentPortBridge, workerFromArgv, type BridgeableProcess } from './utility-bridge';

class FakeUtility extends EventEmitter implements UtilityProcessLike {
  pid: number | undefined = 4242;
  posted: unknown[] = [];
  killed = 0;
  postMessage(m: unknown): void {
    this.posted.push(m);
  }
  kill(): boolean {
    this.killed++;
    queueMicrotask(() => this.emit('exit', 1));
    return true;
  }
}

function fakeForker() {
  const calls: { modulePath: string; args?: string[]; options?: Parameters<UtilityForker['fork']>[2] }[] = [];
  const procs: FakeUtility[] = [];
  const forker: UtilityForker = {
    fork(modulePath, args, options) {
      calls.push({ modulePath, args, options });
      const p = new FakeUtility();
      procs.push(p);
      return p;
    },
  };
  return { forker, calls, procs };
}

describe('UtilityTrainerLauncher', () => {
  it('forks the bridge entry with the worker path, env and exec args', () => {
    const { forker, calls } = fakeForker();
    const launch = utilityTrainerLauncher(forker);
    launch('/app/out/node/worker.js', { execArgv: [], env: { SNGAN_BACKEND: 'cpu', UNSET: undefined } });
    expect(calls[0]!.modulePath).toBe('/app/out/node/trainer-entry.js');
    expect(calls[0]!.args).toEqual([`${WORKER_ARG}/app/out/node/worker.js`]);
    expect(calls[0]!.options?.env).toEqual({ SNGAN_BACKEND: 'cpu' });
    expect(calls[0]!.options?.serviceName).toBe('SNGAN trainer');
  });

  it('finds the .ts bridge when running from source', () => {
    expect(defaultEntryPath('/repo/main/processes/trainer.ts')).toBe('/repo/main/electron/trainer-entry.ts');
  });

  it('speaks the ChildProcess surface: spawn, send → postMessage, message events', () => {
    const { forker, procs } = fakeForker();
    const p = utilityTrainerLauncher(forker)('/w/worker.js', { execArgv: [], env: {} });
    expect(p.connected).toBe(false);
    expect(p.send({ type: 'pause' })).toBe(false);
    let spawned = false;
    const got: unknown[] = [];
    p.once('spawn', () => (spawned = true));
    p.on('message', (m) => got.push(m));
    procs[0]!.emit('spawn');
    expect(spawned).toBe(true);
    expect(p.connected).toBe(true);
    expect(p.pid).toBe(4242);
    expect(p.send({ type: 'start' })).toBe(true);
    expect(procs[0]!.posted).toEqual([{ type: 'start' }]);
    procs[0]!.emit('message', { type: 'status', state: 'running' });
    expect(got).toEqual([{ type: 'status', state: 'running' }]);
  });

  it('reports an unexpected exit with its code, and stops accepting messages', () => {
    const { forker, procs } = fakeForker();
    const p = utilityTrainerLauncher(forker)('/w/worker.js', { execArgv: [], env: {} });
    const exits: [number | null, string | null][] = [];
    p.on('exit', (code, signal) => exits.push([code, signal]));
    procs[0]!.emit('spawn');
    procs[0]!.emit('error', 'FatalError', 'v8::OOM', 'report');
    procs[0]!.emit('exit', 134);
    expect(exits).toEqual([[134, null]]);
    expect(p.connected).toBe(false);
    expect(p.send({ type: 'stop' })).toBe(false);
    expect((p as unknown as { fatal?: string }).fatal).toBe('FatalError at v8::OOM');
  });

  it('kill() ends the process and reports the signal asked for', async () => {
    const { forker, procs } = fakeForker();
    const p = utilityTrainerLauncher(forker)('/w/worker.js', { execArgv: [], env: {} });
    procs[0]!.emit('spawn');
    const exit = new Promise<[number | null, string | null]>((r) => p.on('exit', (c, s) => r([c, s])));
    expect(p.kill('SIGKILL')).toBe(true);
    expect(await exit).toEqual([1, 'SIGKILL']);
    expect(procs[0]!.killed).toBe(1);
    expect(p.kill()).toBe(false);
  });

  it('a process that exits before spawning raises error (so TrainerHost.start rejects)', () => {
    const { forker, procs } = fakeForker();
    const p = utilityTrainerLauncher(forker)('/w/worker.js', { execArgv: [], env: {} });
    const errors: Error[] = [];
    p.once('error', (e) => errors.push(e));
    procs[0]!.emit('exit', 1);
    expect(errors[0]?.message).toMatch(/failed to start/);
  });

  it("fits TrainerHost's injectable launcher type", () => {
    const launch: TrainerLaunch = utilityTrainerLauncher(fakeForker().forker);
    expect(typeof launch).toBe('function');
  });

  it("Node's child_process.fork fits the same launcher type (web mode / CLI)", () => {
    const nodeLauncher: TrainerLauncher = (path, { execArgv, env }) => fork(path, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    expect(typeof nodeLauncher).toBe('function');
  });
});

describe('parentPort bridge (inside the utility process)', () => {
  function fakeProcess() {
    const port = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void; posted: unknown[] };
    port.posted = [];
    port.postMessage = (m) => port.posted.push(m);
    const proc = new EventEmitter() as EventEmitter & BridgeableProcess;
    proc.parentPort = port as unknown as BridgeableProcess['parentPort'];
    return { proc, port };
  }

  it('maps process.send and process "message" onto the MessagePort', () => {
    const { proc, port } = fakeProcess();
    expect(installParentPortBridge(proc)).toBe(true);
    expect(proc.connected).toBe(true);
    let acked = false;
    const send = proc.send as unknown as (m: unknown, h: unknown, o: unknown, cb: () => void) => boolean;
    expect(send({ type: 'progress' }, undefined, {}, () => (acked = true))).toBe(true);
    expect(port.posted).toEqual([{ type: 'progress' }]);
    expect(acked).toBe(true);
    const got: unknown[] = [];
    proc.on('message', (m) => got.push(m));
    port.emit('message', { data: { type: 'stop' } });
    expect(got).toEqual([{ type: 'stop' }]);
  });

  it('holds messages that arrive before the worker listens, and delivers them in order once it does', async () => {
    const { proc, port } = fakeProcess();
    installParentPortBridge(proc);
    port.emit('message', { data: { type: 'import', n: 1 } });
    port.emit('message', { data: { type: 'cancel', n: 2 } });
    const got: unknown[] = [];
    proc.on('message', (m) => got.push(m));
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual([{ type: 'import', n: 1 }, { type: 'cancel', n: 2 }]);
  });

  it('leaves a plain Node child alone', () => {
    const proc = new EventEmitter() as EventEmitter & BridgeableProcess;
    expect(installParentPortBridge(proc)).toBe(false);
    expect(proc.send).toBeUndefined();
  });

  it('reads the worker path from argv with the launcher’s prefix', () => {
    expect(workerFromArgv(['node', 'entry.js', `${WORKER_ARG}/a b/worker.js`])).toBe('/a b/worker.js');
    expect(workerFromArgv(['node', 'entry.js'])).toBeUndefined();
  });
});
