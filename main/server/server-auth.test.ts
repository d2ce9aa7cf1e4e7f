/**
 * Who may call: only this server's own origin (any loopback name, this port), with the token in the header for calls
 * and a one-time ticket for the events socket. A page on another loopback port gets the cookie sent along, so the
 * cookie must not be enough for either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebServer } from './server';
import { http, startTestServer } from './server.test-util';

const JSON_TYPE = { 'content-type': 'application/json' };
const BODY = JSON.stringify({ id: 'run-1' });

function wsOutcome(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', (e) => resolve(e.message));
  });
}

describe('web mode server, origin and credentials', () => {
  let server: WebServer;
  let cookie: string;
  let own: string;
  beforeAll(async () => {
    ({ server } = await startTestServer());
    cookie = `sngan_token=${server.token}`;
    own = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  const call = (headers: Record<string, string>, path = '/api/runs.get', body = BODY) => http(server.port, path, { method: 'POST', headers, body });
  const ticket = async (headers: Record<string, string> = { 'x-sngan-token': server.token, ...JSON_TYPE }) => {
    const res = await call(headers, '/events/ticket', '{}');
    return res.status === 200 ? (JSON.parse(res.body) as { ticket: string }).ticket : String(res.status);
  };

  it('refuses a page on another loopback port, with the cookie and even with the header token', async () => {
    const other = `http://127.0.0.1:${server.port + 1}`;
    expect((await call({ origin: other, cookie, ...JSON_TYPE })).status).toBe(403);
    expect((await call({ origin: other, cookie, 'x-sngan-token': server.token, ...JSON_TYPE })).status).toBe(403);
    expect((await call({ origin: `http://localhost:${server.port + 1}`, 'x-sngan-token': server.token, ...JSON_TYPE })).status).toBe(403);
    expect(await wsOutcome(`ws://127.0.0.1:${server.port}/events?token=${server.token}`, { origin: other, cookie })).toMatch(/40[13]/);
  });

  it('accepts its exact origin under each loopback name, and nothing close to it', async () => {
    const headers = { 'x-sngan-token': server.token, ...JSON_TYPE };
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) expect((await call({ ...headers, origin: `http://${name}:${server.port}` })).status).toBe(200);
    for (const origin of ['http://127.0.0.1', `https://127.0.0.1:${server.port}`, 'null', `http://127.0.0.2:${server.port}`, `http://evil.example:${server.port}`]) {
      expect((await call({ ...headers, origin })).status, origin).toBe(403);
    }
  });

  it('takes the token of an API call from the x-sngan-token header only, not the cookie or the query', async () => {
    expect((await call({ cookie, ...JSON_TYPE })).status).toBe(401);
    expect((await call({ ...JSON_TYPE }, `/api/runs.get?token=${server.token}`)).status).toBe(401);
    expect((await call({ origin: own, 'x-sngan-token': server.token, ...JSON_TYPE })).status).toBe(200);
  });

  it('takes API calls only as application/json (a form or text/plain body is a 415)', async () => {
    const token = { 'x-sngan-token': server.token };
    expect((await call({ ...token })).status).toBe(415);
    expect((await call({ ...token, 'content-type': 'text/plain' })).status).toBe(415);
    expect((await call({ ...token, 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await call({ ...token, 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('still lets the cookie authorise GETs of the page and its assets', async () => {
    expect((await http(server.port, '/index.html', { headers: { cookie } })).status).toBe(200);
  });

  it('opens the events socket only with a one-time ticket, got with the header token', async () => {
    const events = `ws://127.0.0.1:${server.port}/events`;
    expect(await wsOutcome(`${events}?token=${server.token}`, { origin: own })).toMatch(/401/);
    expect(await wsOutcome(events, { origin: own, cookie })).toMatch(/401/);
    expect(await ticket({ cookie, ...JSON_TYPE })).toBe('401');
    const t = await ticket();
    expect(t).toMatch(/^[0-9a-f]{48}$/);
    expect(await wsOutcome(`${events}?ticket=${t}`, { origin: `http://127.0.0.1:${server.port + 1}` })).toMatch(/403/);
    expect(await wsOutcome(`${events}?ticket=${t}`, { origin: own })).toBe('open');
    expect(await wsOutcome(`${events}?ticket=${t}`, { origin: own })).toMatch(/401/);
  });
});
