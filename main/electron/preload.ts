/**
 * The sandboxed preload: exposes exactly the typed `window.api`, plus `window.sngan` (file paths for drops,
 * native dialogs, menu commands), and nothing else of Node or Electron.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { Api, ApiResult, CallName, EventName } from '../../shared/api';
import { IPC, type MenuCommand } from './channels';
import type { DialogRequest } from './dialogs';

const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(IPC.event, (_e: IpcRendererEvent, name: string, payload: unknown) => {
  for (const l of listeners.get(name) ?? []) l(payload);
});

const menuListeners = new Set<(cmd: MenuCommand) => void>();
ipcRenderer.on(IPC.menu, (_e: IpcRendererEvent, cmd: MenuCommand) => {
  for (const l of menuListeners) l(cmd);
});

function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  // Errors cross contextBridge as plain objects; the renderer sees code + message.
  const err = new Error(result.error.message) as Error & { code?: string };
  err.name = 'ApiError';
  err.code = result.error.code;
  throw err;
}

const api = {
  async call(name: CallName, req: unknown) {
    return unwrap((await ipcRenderer.invoke(IPC.call, name, req)) as ApiResult<unknown>);
  },
  on(name: EventName, listener: (payload: unknown) => void) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name)!.add(listener);
    return () => listeners.get(name)?.delete(listener);
  },
} as Api;

contextBridge.exposeInMainWorld('api', api);
contextBridge.exposeInMainWorld('sngan', {
  /** A dropped file's path; main is told first (synchronously), so only real drops become usable paths. */
  pathForFile: (file: File) => {
    const p = webUtils.getPathForFile(file);
    if (p) ipcRenderer.sendSync(IPC.grant, p);
    return p;
  },
  /** Native open/save dialogs: resolves { canceled, paths }. */
  dialog: async (req: DialogRequest) => unwrap((await ipcRenderer.invoke(IPC.dialog, req)) as ApiResult<{ canceled: boolean; paths: string[] }>),
  /** Menu items and files opened from the OS that the page should act on; returns an unsubscribe. */
  onMenu: (listener: (cmd: MenuCommand) => void) => {
    menuListeners.add(listener);
    return () => void menuListeners.delete(listener);
  },
});
