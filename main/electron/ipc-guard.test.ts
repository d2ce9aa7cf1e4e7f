import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CallArgs, createIpcGuard, IPC, isTrustedSender, type IpcEventLike } from './ipc-guard';
import { DialogArgs, openDialogOptions, saveDialogOptions } from './dialogs';

const APP = 'file:///opt/sngan/resources/app.asar/out/renderer/index.html';

function fakeIpc() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>();
  return {
    handlers,
    handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown) {
      handlers.set(channel, listener as never);
    },
    invoke(channel: string, event: IpcEventLike, ...args: unknown[]) {
      return handlers.get(channel)!(event, ...args);
    },
  };
}

const fromApp: IpcEventLike = { senderFrame: { url: APP, parent: null } };

function setup() {
  const ipc = fakeIpc();
  const logs: string[] = [];
  const guard = createIpcGuard(ipc, { appUrl: () => APP, log: (m) => logs.push(m) });
  const seen: unknown[] = [];
  guard.handle(IPC.call, CallArgs, async ([name, req]) => {
    seen.push([name, req]);
    return { ok: true, value: 'done' };
  });
  return { ipc, guard, logs, seen };
}

describe('IPC guard', () => {
  it('passes calls from the app page to the handler', async () => {
    const { ipc, seen } = setup();
    expect(await ipc.invoke(IPC.call, fromApp, 'app.info', {})).toEqual({ ok: true, value: 'done' });
    expect(seen).toEqual([['app.info', {}]]);
  });

  it('refuses other pages, subframes and destroyed frames without calling the handler', async () => {
    const { ipc, seen, logs } = setup();
    const evil: IpcEventLike[] = [
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { senderFrame: { url: 'file:///tmp/evil.html', parent: null } },
      { senderFrame: { url: APP, parent: { url: APP } } },
      { senderFrame: null },
    ];
    for (const e of evil) {
      const r = (await ipc.invoke(IPC.call, e, 'app.info', {})) as { ok: boolean; error: { code: string } };
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe('forbidden');
    }
    expect(seen).toEqual([]);
    expect(logs).toHaveLength(4);
  });

  it('validates arguments: unknown call names and malformed tuples never reach the handler', async () => {
    const { ipc, seen } = setup();
    for (const args of [['fs.readFile', {}], [42, {}], []]) {
      const r = (await ipc.invoke(IPC.call, fromApp, ...args)) as { ok: boolean; error: { code: string } };
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    }
    expect(seen).toEqual([]);
  });

  it('only registers allow-listed channels, once each', () => {
    const { guard } = setup();
    expect(() => guard.handle('sngan:shell' as never, z.tuple([]), () => 1)).toThrow(/allow-list/);
    expect(() => guard.handle(IPC.call, CallArgs, () => 1)).toThrow(/already/);
    expect(() => guard.handle(IPC.event as never, z.tuple([]), () => 1)).toThrow(/allow-list/);
    expect(guard.channels()).toEqual([IPC.call]);
  });

  it('turns a throwing handler into an error result', async () => {
    const ipc = fakeIpc();
    createIpcGuard(ipc, { appUrl: () => APP }).handle(IPC.dialog, DialogArgs, () => {
      throw new Error('no window');
    });
    expect(await ipc.invoke(IPC.dialog, fromApp, { kind: 'openDataset' })).toEqual({ ok: false, error: { code: 'internal', message: 'no window' } });
  });

  it('trusts the dev server origin in development', () => {
    expect(isTrustedSender({ senderFrame: { url: 'http://localhost:5173/#/train', parent: null } }, 'http://localhost:5173/')).toBe(true);
  });
});

describe('dialog requests', () => {
  it('accepts the known kinds and rejects paths smuggled in as names', () => {
    expect(DialogArgs.safeParse([{ kind: 'openDataset' }]).success).toBe(true);
    expect(DialogArgs.safeParse([{ kind: 'exportGenerator', format: 'onnx', defaultName: 'g' }]).success).toBe(true);
    expect(DialogArgs.safeParse([{ kind: 'exportGenerator', defaultName: '../../etc/passwd' }]).success).toBe(false);
    expect(DialogArgs.safeParse([{ kind: 'openDataset', defaultPath: '/' }]).success).toBe(false);
    expect(DialogArgs.safeParse([{ kind: 'format-disk' }]).success).toBe(false);
    expect(DialogArgs.safeParse([{ kind: 'chooseWorkspace' }]).success).toBe(true);
    expect(DialogArgs.safeParse([{ kind: 'exportGenerator', format: 'zip' }]).success).toBe(false);
  });

  it('builds native dialog options', () => {
    expect(openDialogOptions({ kind: 'openDataset' }, '/ws').properties).toEqual(['openFile', 'openDirectory', 'multiSelections']);
    expect(openDialogOptions({ kind: 'openRun' }, '/ws')).toMatchObject({ defaultPath: '/ws', properties: ['openDirectory'] });
    expect(openDialogOptions({ kind: 'chooseWorkspace' }, '/ws')).toMatchObject({ defaultPath: '/ws', properties: ['openDirectory', 'createDirectory'] });
    // every export is a new folder: the save dialog names it, with no file extension
    const save = saveDialogOptions({ kind: 'exportGenerator', format: 'onnx', defaultName: 'mnist-g' }, '/home/u/Downloads');
    expect(save.defaultPath).toBe('/home/u/Downloads/mnist-g');
    expect(save.title).toMatch(/ONNX/);
    expect(saveDialogOptions({ kind: 'exportGenerator', format: 'tfjs' }, '/d').defaultPath).toBe('/d/generator-tfjs');
  });
});
