import { expect, test } from '@playwright/test';
import { serveForFile, SHOTS } from './web-server';

const app = serveForFile();

test('the page shows the app version and training backend from app.info over the real transport', async ({ page }) => {
  const pkg = (await import('../package.json', { with: { type: 'json' } })).default as { version: string };
  // No console errors on load (a CSP meta tag with frame-ancestors used to log one on every load).
  const consoleErrors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
  const events = page.waitForEvent('websocket');
  await page.goto(app().url);
  await expect(page.getByTestId('app-version')).toContainText(pkg.version, { timeout: 60_000 });
  // the events socket opened with a one-time ticket, not the token, and stays open
  const socket = await events;
  expect(socket.url()).toMatch(/\/events\?ticket=[0-9a-f]{48}$/);
  expect(socket.isClosed()).toBe(false);
  await expect(page.getByTestId('app-backend')).toContainText(/wasm|tensorflow|webgpu|cpu/, { timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/home.png` });
  // the token leaves the address bar; the tab keeps it, so a reload still works
  await expect(page).toHaveURL(`${app().origin}/`);
  await page.reload();
  await expect(page.getByTestId('app-version')).toContainText(pkg.version, { timeout: 60_000 });
  expect(consoleErrors).toEqual([]);
});

test('without the token the server answers 401 and serves nothing', async ({ request }) => {
  const res = await request.get(`${app().origin}/`);
  expect(res.status()).toBe(401);
  const api = await request.post(`${app().origin}/api/app.info`, { data: {} });
  expect(api.status()).toBe(401);
});

test('a page on another loopback port is refused, even with the token', async ({ request }) => {
  const other = `http://127.0.0.1:${Number(new URL(app().origin).port) + 1}`;
  const res = await request.post(`${app().origin}/api/app.info`, { data: {}, headers: { origin: other, 'x-sngan-token': app().token } });
  expect(res.status()).toBe(403);
});

test('a bad request gets a typed error, not a crash', async ({ request }) => {
  const res = await request.post(`${app().origin}/api/datasets.get`, { data: { id: '../../etc' }, headers: { 'x-sngan-token': app().token } });
  const body = await res.json();
  expect(body.ok).toBe(false);
  expect(body.error.code).toBe('invalid_request');
  const after = await request.post(`${app().origin}/api/app.info`, { data: {}, headers: { 'x-sngan-token': app().token } });
  expect((await after.json()).ok).toBe(true);
});
