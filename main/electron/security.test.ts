import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { APP_URL, appFilePath, appResponseHeaders, isAppUrl, isSafeExternalLink, rendererUrl, secureWebPreferences } from './security';
import { HELP_LINKS } from './menu';

describe('shell security rules', () => {
  it('sandboxes the renderer with context isolation and no Node', () => {
    const p = secureWebPreferences('/app/preload.cjs');
    expect(p.contextIsolation).toBe(true);
    expect(p.sandbox).toBe(true);
    expect(p.nodeIntegration).toBe(false);
    expect(p.webSecurity).toBe(true);
  });

  it('trusts only the app page as an API caller', () => {
    const app = 'file:///opt/sngan/out/renderer/index.html';
    expect(isAppUrl('file:///opt/sngan/out/renderer/index.html', app)).toBe(true);
    expect(isAppUrl('file:///tmp/evil.html', app)).toBe(false);
    expect(isAppUrl('https://example.com/', app)).toBe(false);
    expect(isAppUrl(undefined, app)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });

  it('the app scheme: only its own host is the app; a packaged build ignores ELECTRON_RENDERER_URL', () => {
    expect(isAppUrl('app://sngan/index.html', APP_URL)).toBe(true);
    expect(isAppUrl('app://sngan/assets/x.js', APP_URL)).toBe(true);
    expect(isAppUrl('app://evil/index.html', APP_URL)).toBe(false);
    expect(isAppUrl('file:///opt/sngan/out/renderer/index.html', APP_URL)).toBe(false);
    expect(rendererUrl({ isPackaged: true, devServerUrl: 'http://evil.example/' })).toBe(APP_URL);
    expect(rendererUrl({ isPackaged: false, devServerUrl: 'http://localhost:5173/' })).toBe('http://localhost:5173/');
    expect(rendererUrl({ isPackaged: false })).toBe(APP_URL);
  });

  it('app:// requests map to files inside the renderer build only', () => {
    const root = path.resolve('/opt/sngan/out/renderer');
    expect(appFilePath(root, 'app://sngan/')).toBe(path.join(root, 'index.html'));
    expect(appFilePath(root, 'app://sngan/assets/index-1.js?v=2')).toBe(path.join(root, 'assets', 'index-1.js'));
    // Escapes are clamped to the root (URL and path normalisation) or refused; nothing resolves outside it.
    for (const u of ['app://sngan/../../etc/passwd', 'app://sngan/%2e%2e/%2e%2e/etc/passwd', 'app://sngan/assets/..%2f..%2f..%2fx']) {
      const p = appFilePath(root, u);
      expect(p === null || p.startsWith(root + path.sep), u).toBe(true);
    }
    for (const bad of ['app://sngan/%E0%A4%A', 'app://other/index.html', 'file:///etc/passwd', 'app://sngan/a%5C..%5C..%5Cx', 'app://sngan/a%00b', 'not a url'])
      expect(appFilePath(root, bad), bad).toBeNull();
    expect(appResponseHeaders('/x/index.html')).toMatchObject({ 'content-type': 'text/html; charset=utf-8' });
    expect(appResponseHeaders('/x/index.html')['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('opens only https links to the allowed hosts externally (every Help link passes)', () => {
    for (const l of HELP_LINKS) expect(isSafeExternalLink(l.url)).toBe(true);
    expect(isSafeExternalLink('https://evil.example/')).toBe(false);
    expect(isSafeExternalLink('https://user@github.com/')).toBe(false);
    expect(isSafeExternalLink('https://arxiv.org/abs/1802.05957')).toBe(true);
    expect(isSafeExternalLink('http://example.com')).toBe(false);
    expect(isSafeExternalLink('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalLink('javascript:alert(1)')).toBe(false);
  });
});
