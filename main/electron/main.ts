/**
 * The Electron shell: one secure window over the same services the web mode uses.
 * The only folder that imports 'electron'.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServices, type Services } from '../services/services';
import { defaultWorkspace } from '../services/workspace';
import { isAppUrl, isSafeExternalLink, RENDERER_CSP, secureWebPreferences } from './security';

const API_CALL = 'sngan:call';
const API_EVENT = 'sngan:event';

// The bundle is an ES module: no __dirname, so derive it.
const here = dirname(fileURLToPath(import.meta.url));

let services: Services | undefined;
let win: BrowserWindow | undefined;

function appUrl(): string {
  return process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(here, '..', 'renderer', 'index.html')).href;
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'SNGAN Studio',
    show: false,
    webPreferences: secureWebPreferences(join(here, '..', 'preload', 'preload.cjs')),
  });
  w.once('ready-to-show', () => w.show());
  // No navigation away from the app, no new windows; https links go to the system browser.
  w.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl())) event.preventDefault();
  });
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void w.loadURL(appUrl());
  return w;
}

function wireIpc(s: Services): void {
  ipcMain.handle(API_CALL, async (event, name: unknown, req: unknown) => {
    if (!isAppUrl(event.senderFrame?.url, appUrl())) {
      return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the app window' } };
    }
    return s.call(String(name), req);
  });
  s.events.subscribe((name, payload) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send(API_EVENT, name, payload);
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    services = createServices({ workspace: process.env.SNGAN_WORKSPACE ?? defaultWorkspace(), transport: 'electron' });
    wireIpc(services);
    win = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void services?.close();
  });
}
