/**
 * The shell's security rules as plain functions (unit-tested without Electron):
 * window preferences, which frames may call the API, which navigations and links are allowed.
 */
import path from 'node:path';
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
  };
}

/** The renderer's own origin: a privileged custom scheme served by protocol.handle with a header CSP (not file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'sngan';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Where the window loads the renderer: a dev server only in an unpackaged build, else the app scheme. */
export function rendererUrl(o: { isPackaged: boolean; devServerUrl?: string }): string {
  return !o.isPackaged && o.devServerUrl ? o.devServerUrl : APP_URL;
}

/** True for a page of the app itself: the same scheme and host as the app URL (port too, for a dev server). */
export function isAppUrl(url: string | undefined, appUrl: string): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    const app = new URL(appUrl);
    // Custom schemes have an opaque origin ('null'), so compare the parts.
    return u.protocol === app.protocol && u.host === app.host && (app.protocol !== 'file:' || u.pathname === app.pathname);
  } catch {
    return false;
  }
}

/**
 * The file under `root` (the renderer build) that an app:// request names, or null: decoded once, normalised,
 * and proved to stay inside `root` (no `..`, no encoded separators, no other host).
 */
export function appFilePath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const file = path.resolve(root, `.${path.posix.normalize(rel === '/' ? '/index.html' : rel)}`);
  const inside = path.relative(path.resolve(root), file);
  return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? file : null;
}

/** Hosts the app's own links point to (Help menu); nothing else opens in the system browser. */
export const EXTERNAL_HOSTS = new Set(['arxiv.org', 'github.com', 'www.tensorflow.org']);

/** Links the app itself shows may open in the system browser: https, to an allowed host. */
export function isSafeExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.hostname) && !u.username && !u.password;
  } catch {
    return false;
  }
}

export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** Headers of an app:// response: its type, and the CSP as a header (meta tags cannot carry frame-ancestors). */
export function appResponseHeaders(file: string): Record<string, string> {
  return { 'content-type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-security-policy': RENDERER_CSP, 'x-content-type-options': 'nosniff' };
}
