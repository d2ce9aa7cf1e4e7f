import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebServer } from './server';
import { http, startTestServer, ticketFor, type FakeServices } from './server.test-util';

describe('web mode server', () => {
  let server: WebServer;
  let services: FakeServices;
  beforeAll(async () => {
    ({ server, services } = await startTestServer());
  });
  afterAll(() => server.close());

  it('binds to loopback and prints a URL with the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{48}$`));
  });

  it('answers 401 without the token', async () => {
    expect((await http(server.port, '/')).status).toBe(401);
    expect((await http(server.port, '/?token=wrong')).status).toBe(401);
    expect((await http(server.port, '/api/runs.get', { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('serves the renderer with the token, with a CSP, and remembers it in an HttpOnly cookie', async () => {
    const res = await http(server.port, `/?token=${server.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('SNGAN Studio');
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    const again = await http(server.port, '/index.html', { headers: { cookie: cookie.split(';')[0]! } });
    expect(again.status).toBe(200);
  });

  it('refuses a non-loopback Host or Origin (DNS rebinding)', async () => {
    expect((await http(server.port, `/?token=${server.token}`, { headers: { host: 'evil.example:80' } })).status).toBe(403);
    expect((await http(server.port, `/?token=${server.token}`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await http(server.port, `/..%2f..%2f..%2fetc%2fpasswd?token=${server.token}`);
    expect([403, 404]).toContain(res.status);
    expect(res.body).not.toContain('root:');
  });

  it('carries calls and returns typed errors for bad input', async () => {
    const headers = { 'x-sngan-token': server.token, 'content-type': 'application/json' };
    const ok = await http(server.port, '/api/runs.get', { method: 'POST', headers, body: JSON.stringify({ id: 'run-1' }) });
    expect(JSON.parse(ok.body)).toEqual({ ok: true, value: { echo: 'run-1' } });
    const bad = JSON.parse((await http(server.port, '/api/runs.get', { method: 'POST', headers, body: JSON.stringify({ id: 42 }) })).body);
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('invalid_request');
    const notJson = await http(server.port, '/api/runs.get', { method: 'POST', headers, body: '{nope' });
    expect(notJson.status).toBe(400);
  });

  it('streams events over a WebSocket opened with a ticket', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${server.port}/events`);
    const refusal = await new Promise<string>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      refused.on('error', (e) => resolve(e.message));
    });
    expect(refusal).toMatch(/401/);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?ticket=${await ticketFor(server)}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const got = new Promise<unknown>((resolve) => ws.on('message', (m) => resolve(JSON.parse(String(m)))));
    services.events.emit('run.progress', { runId: 'r', step: 3, steps: 10, stepsPerSec: 1.5, etaSec: 4.7 });
    expect(await got).toEqual({ event: 'run.progress', payload: { runId: 'r', step: 3, steps: 10, stepsPerSec: 1.5, etaSec: 4.7 } });
    ws.close();
  });
});
