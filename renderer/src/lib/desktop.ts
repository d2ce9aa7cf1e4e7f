/**
 * The desktop shell's extras, typed: `window.sngan` from the Electron preload (file paths for drops, native
 * dialogs, menu commands). Absent in web mode, so every use feature-detects through here.
 */
import { DialogResponse, MenuCommand, type DialogRequest } from '../../../shared/api';

export interface DesktopBridge {
  pathForFile?: (file: File) => string;
  dialog?: (req: DialogRequest) => Promise<DialogResponse>;
  onMenu?: (listener: (cmd: unknown) => void) => () => void;
}

declare global {
  interface Window {
    sngan?: DesktopBridge;
  }
}

export function bridge(): DesktopBridge | undefined {
  return typeof window !== 'undefined' ? window.sngan : undefined;
}

export function hasNativeDialogs(): boolean {
  return typeof bridge()?.dialog === 'function';
}

/** A native dialog's chosen paths, or null when cancelled or unavailable (web mode). The answer is validated. */
export async function nativeDialog(req: DialogRequest): Promise<string[] | null> {
  const b = bridge();
  if (!b?.dialog) return null;
  const r = DialogResponse.parse(await b.dialog(req));
  return r.canceled || !r.paths.length ? null : r.paths;
}

/** What the page does for a menu command; kept apart from the store so it can be tested. */
export interface MenuTarget {
  showView(view: 'datasets' | 'export' | 'settings' | 'samples'): void;
  openImport(): void;
  openRun(id: string): void;
  trackImport(importId: string): void;
  warn(message: string): void;
}

/** Validate a command from the shell and act on it; unknown or malformed commands are reported, not obeyed. */
export function handleMenuCommand(raw: unknown, t: MenuTarget): boolean {
  const parsed = MenuCommand.safeParse(raw);
  if (!parsed.success) {
    t.warn(`Ignored an unknown menu command: ${JSON.stringify(raw)?.slice(0, 120)}`);
    return false;
  }
  const cmd = parsed.data;
  switch (cmd.command) {
    case 'showDatasets':
      t.showView('datasets');
      if (cmd.importId) t.trackImport(cmd.importId);
      break;
    case 'import':
      t.openImport();
      break;
    case 'export':
      t.showView('export');
      break;
    case 'settings':
      t.showView('settings');
      break;
    case 'openRun':
      t.openRun(cmd.id);
      break;
  }
  return true;
}

/** Subscribe to the shell's menu commands; a no-op in web mode. */
export function onMenu(t: MenuTarget): () => void {
  const b = bridge();
  if (typeof b?.onMenu !== 'function') return () => {};
  return b.onMenu((cmd) => handleMenuCommand(cmd, t));
}
