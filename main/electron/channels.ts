/** IPC channel names shared by the main process and the preload (no imports: the preload bundle stays small). */
export const IPC = {
  /** invoke: (name, req) → ApiResult — the typed API. */
  call: 'sngan:call',
  /** invoke: (DialogRequest) → ApiResult<{ canceled, paths }> — native open/save dialogs. */
  dialog: 'sngan:dialog',
  /** sendSync from the preload: (path) → true — a dropped file's path, as Electron itself resolved it. */
  grant: 'sngan:grant',
  /** main → renderer: (eventName, payload) — the API's pushed events. */
  event: 'sngan:event',
  /** main → renderer: (MenuCommand) — menu items and launch arguments the page acts on. */
  menu: 'sngan:menu',
} as const;
export type IpcChannel = (typeof IPC)[keyof typeof IPC];

/** What the main process asks the page to do (menu items, files opened from the OS): shared/api.ts's MenuCommand. */
export type { MenuCommand } from '../../shared/api';
