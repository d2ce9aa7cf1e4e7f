/**
 * The application menu as a pure function of the app's state and callbacks (Electron builds it with
 * Menu.buildFromTemplate). macOS gets the app menu and a Window menu with its roles; reload and devtools
 * appear only in development.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openDataset(): void;
  importDataset(): void;
  exportGenerator(): void;
  openSettings(): void;
  openRun(path: string): void;
  openWorkspace(): void;
  openExternal(url: string): void;
  clearRecent(): void;
}

export interface MenuState {
  platform: NodeJS.Platform;
  isDev: boolean;
  appName: string;
  recentRuns: { label: string; path: string }[];
}

export const HELP_LINKS = [
  { label: 'Spectral Normalization for GANs (paper)', url: 'https://arxiv.org/abs/1802.05957' },
  { label: 'cGANs with Projection Discriminator (paper)', url: 'https://arxiv.org/abs/1802.05637' },
  { label: 'Reference implementation (sngan_projection)', url: 'https://github.com/pfnet-research/sngan_projection' },
  { label: 'TensorFlow.js', url: 'https://www.tensorflow.org/js' },
] as const;

export function menuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const sep: MenuItemConstructorOptions = { type: 'separator' };

  const recent: MenuItemConstructorOptions[] = state.recentRuns.length
    ? [...state.recentRuns.slice(0, 10).map((r) => ({ label: r.label, click: () => actions.openRun(r.path) })), sep, { label: 'Clear Recent', click: () => actions.clearRecent() }]
    : [{ label: 'No recent runs', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Dataset…', accelerator: 'CmdOrCtrl+O', click: () => actions.openDataset() },
      { label: 'Import…', accelerator: 'CmdOrCtrl+I', click: () => actions.importDataset() },
      { label: 'Export Generator…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportGenerator() },
      sep,
      { label: 'Recent Runs', submenu: recent },
      { label: 'Show Workspace Folder', click: () => actions.openWorkspace() },
      { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => actions.openSettings() },
      sep,
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, sep, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(state.isDev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, sep] as MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
    ],
  };

  const windowMenu: MenuItemConstructorOptions = {
    label: '&Window',
    role: 'windowMenu',
    submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, sep, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }],
  };

  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: HELP_LINKS.map((l) => ({ label: l.label, click: () => actions.openExternal(l.url) })),
  };

  const appMenu: MenuItemConstructorOptions = {
    label: state.appName,
    submenu: [{ role: 'about' }, sep, { role: 'services' }, sep, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, sep, { role: 'quit' }],
  };

  return [...(mac ? [appMenu] : []), file, edit, view, windowMenu, help];
}
