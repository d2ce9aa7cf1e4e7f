/**
 * The sandboxed preload: exposes exactly the typed `window.api` (plus file-path lookup for drops)
 * and nothing else of Node or Electron.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { Api, ApiResult, CallName, EventName } from '../../shared/api';

const API_CALL = 'sngan:call';
const API_EVENT = 'sngan:event';

const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(API_EVENT, (_e: IpcRendererEvent, name: string, payload: unknown) => {
  for (const l of listeners.get(name) ?? []) l(payload);
});

const api = {
  async call(name: CallName, req: unknown) {
    const result = (await ipcRenderer.invoke(API_CALL, name, req)) as ApiResult<unknown>;
    if (result.ok) return result.value;
    // Errors cross contextBridge as plain objects; the renderer sees code + message.
    const err = new Error(result.error.message) as Error & { code?: string };
    err.name = 'ApiError';
    err.code = result.error.code;
    throw err;
  },
  on(name: EventName, listener: (payload: unknown) => void) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name)!.add(listener);
    return () => listeners.get(name)?.delete(listener);
  },
} as Api;

contextBridge.exposeInMainWorld('api', api);
contextBridge.exposeInMainWorld('sngan', {
  pathForFile: (file: File) => webUtils.getPathForFile(file),
});
