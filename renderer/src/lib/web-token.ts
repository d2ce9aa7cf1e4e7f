/**
 * The web-mode token arrives once, in the address bar. It is kept for this tab in sessionStorage (reloads,
 * reconnects) and taken out of the URL, so it is not left in history, bookmarks or a screenshot.
 */
const KEY = 'sngan.token';

export type TokenWindow = Pick<Window, 'location' | 'history' | 'sessionStorage'>;

export function takeToken(win: TokenWindow): string {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (!fromUrl) return win.sessionStorage.getItem(KEY) ?? '';
  win.sessionStorage.setItem(KEY, fromUrl);
  url.searchParams.delete('token');
  win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return fromUrl;
}
