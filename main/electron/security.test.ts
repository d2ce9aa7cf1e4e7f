import { describe, expect, it } from 'vitest';
import { isAppUrl, isSafeExternalLink, secureWebPreferences } from './security';

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

  it('opens only https links externally', () => {
    expect(isSafeExternalLink('https://arxiv.org/abs/1802.05957')).toBe(true);
    expect(isSafeExternalLink('http://example.com')).toBe(false);
    expect(isSafeExternalLink('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalLink('javascript:alert(1)')).toBe(false);
  });
});
