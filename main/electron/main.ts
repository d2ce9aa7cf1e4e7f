/**
 * The Electron shell: one secure window over the same services the web mode uses.
 * The only folder that imports 'electron'. Thin calls only: the logic lives in the plain modules beside it.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, screen, session, shell, utilityProcess } from 'electron';
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices, type ServiceOptions, type Services } from '../services/services';
import { defaultWorkspace } from '../services/workspace';
import { launchTargets, type LaunchTarget } from './argv';
import { IPC, type MenuCommand } from './channels';
import { DialogArgs, openDialogOptions, saveDialogOptions } from './dialogs';
import { CallArgs, createIpcGuard, forbidden, isTrustedSender, type IpcEventLike } from './ipc-guard';
import { PathGrants, ungrantedPath } from './path-grants';
import { menuTemplate } from './menu';
import { RunTracker } from './progress';
import { confirmQuitMessage, QuitGuard } from './quit-guard';
import { APP_SCHEME, appFilePath, appResponseHeaders, isAppUrl, isSafeExternalLink, RENDERER_CSP, rendererUrl, secureWebPreferences } from './security';
import { apiSettingsProvider, SettingsStore } from './settings';
import { utilityChildLauncher, utilityTrainerLauncher, type TrainerLauncher } from './trainer-process';
import { setChildLauncher } from '../services/child-launch';
import { boundsToSave, MIN_SIZE, restoreBounds } from './window-state';

// The bundle is an ES module: no __dirname, so derive it.
const here = dirname(fileURLToPath(import.meta.url));
const isDev = !app.isPackaged;

let services: Services | undefined;
let win: BrowserWindow | undefined;
let pageReady = false;
const pending: MenuCommand[] = [];
const settings = new SettingsStore(app.getPath('userData'));
const tracker = new RunTracker();

// A packaged app never honours ELECTRON_RENDERER_URL: its page comes from its own files, over app://.
const pageUrl = rendererUrl({ isPackaged: app.isPackaged, devServerUrl: process.env.ELECTRON_RENDERER_URL });
function appUrl(): string {
  return pageUrl;
}

// Before 'ready': app:// behaves like https (standard, secure, fetch) so 'self' in the CSP means the app's files.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

/** Serve the renderer build over app:// with the CSP as a header; anything outside the build is a 404. */
function serveAppScheme(): void {
  const root = join(here, '..', 'renderer');
  protocol.handle(APP_SCHEME, async (req) => {
    const file = appFilePath(root, req.url);
    const body = file ? await readFile(file).catch(() => null) : null;
    if (!file || !body) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return new Response(new Uint8Array(body), { headers: appResponseHeaders(file) });
  });
}

function tell(cmd: MenuCommand): void {
  if (win && pageReady) win.webContents.send(IPC.menu, cmd);
  else pending.push(cmd);
}

function createWindow(): BrowserWindow {
  const saved = settings.get().window;
  const primary = screen.getPrimaryDisplay();
  const areas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  const b = restoreBounds(saved, areas);
  const w = new BrowserWindow({
    x: b.x,
    y: b.y,
    width: b.width,
    height: b.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'SNGAN Studio',
    show: false,
    webPreferences: secureWebPreferences(join(here, '..', 'preload', 'preload.cjs')),
  });
  if (b.maximized) w.maximize();
  w.once('ready-to-show', () => w.show());
  // No navigation away from the app, no new windows; https links go to the system browser.
  w.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl())) event.preventDefault();
  });
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  w.webContents.on('did-finish-load', () => {
    pageReady = true;
    for (const cmd of pending.splice(0)) w.webContents.send(IPC.menu, cmd);
  });
  let saveTimer: NodeJS.Timeout | undefined;
  const saveBounds = () => {
    clearTimeout(saveTimer);
    if (!w.isDestroyed() && !w.isFullScreen()) settings.update({ window: boundsToSave(w.getNormalBounds(), w.isMaximized()) });
  };
  const scheduleSave = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveBounds, 500);
  };
  w.on('resize', scheduleSave);
  w.on('move', scheduleSave);
  w.on('maximize', scheduleSave);
  w.on('unmaximize', scheduleSave);
  w.on('close', (event) => {
    saveBounds();
    // Closing the last window on Windows/Linux quits: go through the quit guard so running runs are confirmed.
    if (process.platform !== 'darwin' && quitGuard.phase !== 'done') {
      event.preventDefault();
      app.quit();
    }
  });
  w.on('closed', () => {
    if (win === w) win = undefined;
    pageReady = false;
  });
  void w.loadURL(appUrl());
  return w;
}

function runIdIn(path: string, workspace: string): string | undefined {
  const rel = relative(join(workspace, 'runs'), path);
  return rel && !rel.startsWith('..') && !rel.includes(sep) ? rel : undefined;
}

async function importDataset(paths: string[]): Promise<void> {
  const r = await services!.call('datasets.import', { paths });
  for (const p of paths) app.addRecentDocument(p);
  tell({ command: 'showDatasets', importId: r.ok ? (r.value as { importId: string }).importId : undefined });
}

async function openRun(path: string): Promise<void> {
  let id = runIdIn(path, services!.workspace);
  if (!id) {
    // A run trained elsewhere: registered by path and watched while it grows.
    const r = await services!.call('runs.add', { path });
    if (!r.ok) {
      void dialog.showMessageBox({ type: 'warning', message: 'This folder cannot be opened as a run.', detail: r.error.message });
      return;
    }
    id = (r.value as { id: string }).id;
  }
  app.addRecentDocument(path);
  settings.addRecentRun(path);
  rebuildMenu();
  tell({ command: 'openRun', id });
}

function openTargets(targets: LaunchTarget[]): void {
  const datasets = targets.filter((t) => t.kind === 'dataset').map((t) => t.path);
  if (datasets.length) void importDataset(datasets);
  for (const t of targets) if (t.kind === 'run') void openRun(t.path);
}

const probe = { exists: existsSync, isDirectory: (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false };

function rebuildMenu(): void {
  const recentRuns = settings
    .get()
    .recentRuns.filter((p) => existsSync(p))
    .map((p) => ({ label: p.split(/[/\\]/).pop() ?? p, path: p }));
  const template = menuTemplate(
    { platform: process.platform, isDev, appName: app.name, recentRuns },
    {
      openDataset: async () => {
        const r = await dialog.showOpenDialog(win!, openDialogOptions({ kind: 'openDataset' }, services!.workspace));
        if (!r.canceled && r.filePaths.length) await importDataset(r.filePaths);
      },
      importDataset: () => tell({ command: 'import' }),
      exportGenerator: () => tell({ command: 'export' }),
      openSettings: () => tell({ command: 'settings' }),
      openRun,
      openWorkspace: () => void shell.openPath(services!.workspace),
      openExternal: (url) => {
        if (isSafeExternalLink(url)) void shell.openExternal(url);
      },
      clearRecent: () => {
        settings.update({ recentRuns: [] });
        app.clearRecentDocuments();
        rebuildMenu();
      },
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Paths the user chose in a dialog or dropped on the window this session: the only ones the page may name. */
const grants = new PathGrants();

function wireIpc(s: Services): void {
  const guard = createIpcGuard(ipcMain, { appUrl });
  guard.handle(IPC.call, CallArgs, ([name, req]) => {
    const why = ungrantedPath(grants, name, req);
    return why ? forbidden(why) : s.call(name, req);
  });
  ipcMain.on(IPC.grant, (event, p: unknown) => {
    if (isTrustedSender(event as unknown as IpcEventLike, appUrl()) && typeof p === 'string') grants.grant(p);
    event.returnValue = true;
  });
  guard.handle(IPC.dialog, DialogArgs, async ([req]) => {
    const parent = win ?? BrowserWindow.getFocusedWindow() ?? undefined;
    if (req.kind === 'exportGenerator') {
      const opts = saveDialogOptions(req, app.getPath('downloads'));
      const r = parent ? await dialog.showSaveDialog(parent, opts) : await dialog.showSaveDialog(opts);
      if (r.filePath) grants.grant(r.filePath);
      return { ok: true, value: { canceled: r.canceled || !r.filePath, paths: r.filePath ? [r.filePath] : [] } };
    }
    const opts = openDialogOptions(req, s.workspace);
    const r = parent ? await dialog.showOpenDialog(parent, opts) : await dialog.showOpenDialog(opts);
    for (const f of r.filePaths) grants.grant(f);
    return { ok: true, value: { canceled: r.canceled, paths: r.filePaths } };
  });
  s.events.subscribe((name, payload) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC.event, name, payload);
    const bar = tracker.onEvent(name, payload);
    if (bar) for (const w of BrowserWindow.getAllWindows()) w.setProgressBar(bar.value, { mode: bar.mode });
    if (name === 'run.status' && (payload as { state?: string }).state === 'running') {
      const dir = join(s.workspace, 'runs', (payload as { id: string }).id);
      if (settings.get().recentRuns[0] !== dir) {
        settings.addRecentRun(dir);
        app.addRecentDocument(dir);
        rebuildMenu();
      }
    }
  });
}

const quitGuard = new QuitGuard({
  activeRuns: () => tracker.active().length,
  confirm: async (n) => {
    const opts = confirmQuitMessage(n);
    const r = win ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
    return r.response === 0;
  },
  close: () => services?.close() ?? Promise.resolve(),
  quit: () => app.quit(),
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const loaded = settings.load();
  if (loaded.problem) console.warn(`[settings] ${loaded.problem}${loaded.backup ? ` (kept as ${loaded.backup})` : ''}`);
  nativeTheme.themeSource = settings.get().theme;

  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    if (services) openTargets(launchTargets(argv, { isPackaged: app.isPackaged, cwd: workingDirectory, probe }));
  });
  // macOS: files dropped on the dock icon or opened from Finder.
  const early: string[] = [];
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (services) openTargets(launchTargets(['', path], { isPackaged: true, cwd: '/', probe }));
    else early.push(path);
  });

  app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    // No camera, microphone, notifications, HID/USB/serial devices: the app asks for none.
    session.defaultSession.setPermissionCheckHandler(() => false);
    session.defaultSession.setDevicePermissionHandler(() => false);
    serveAppScheme();
    const s = settings.get();
    // Trainers run in utility processes (one per run); the services pass this launcher to each TrainerHost.
    const opts: ServiceOptions & { launchTrainer?: TrainerLauncher } = {
      workspace: process.env.SNGAN_WORKSPACE ?? s.workspace ?? defaultWorkspace(),
      transport: 'electron',
      // A backend from the environment is forced; otherwise each new run uses the settings' default.
      backend: process.env.SNGAN_BACKEND,
      launchTrainer: utilityTrainerLauncher(utilityProcess),
      settings: apiSettingsProvider(settings, {
        workspaceLocked: !!process.env.SNGAN_WORKSPACE,
        onChange: (next) => (nativeTheme.themeSource = next.theme),
      }),
    };
    // Export, probe and import children run in utilityProcess too: the RunAsNode fuse is off, so no fork.
    setChildLauncher(utilityChildLauncher(utilityProcess));
    services = createServices(opts);
    // The workspace is the app's own folder: exports and settings may name paths inside it.
    grants.grant(services.workspace);
    wireIpc(services);
    rebuildMenu();
    win = createWindow();
    openTargets(launchTargets([...process.argv, ...early.splice(0)], { isPackaged: app.isPackaged, cwd: process.cwd(), probe }));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Runs in progress are confirmed, then stopped with a checkpoint, before the app goes.
  app.on('before-quit', (event) => {
    if (quitGuard.beforeQuit()) event.preventDefault();
  });
}
