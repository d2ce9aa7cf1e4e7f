/** Malformed and oversized requests: a clear 4xx, never a 500, a crash, or a reset socket. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebServer } from './server';
import { http, raw, startTestServer, streamBody } from './server.test-util';

describe('web mode server, hostile requests', () => {
  let server: WebServer;
  beforeAll(async () => {
    ({ server } = await startTestServer());
  });
  afterAll(() => server.close());

  it('answers 400 to malformed percent-encoding in the path, not 500', async () => {
    const res = await http(server.port, `/%E0%A4%A?token=${server.token}`);
    expect(res.status).toBe(400);
    expect(res.body).not.toMatch(/URIError|at /);
    expect((await http(server.port, `/%zz.js?token=${server.token}`)).status).toBe(400);
  });

  it('answers 401 (not 500) to a token cookie that does not decode', async () => {
    expect((await http(server.port, '/', { headers: { cookie: 'sngan_token=%zz' } })).status).toBe(401);
  });

  it('answers 400 to a request target that is not a path, for HTTP and WebSocket upgrades alike', async () => {
    expect(await raw(server.port, 'GET http://[x/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    const upgrade = 'GET http://[x/events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    expect(await raw(server.port, upgrade)).toMatch(/^HTTP\/1\.1 400/);
    expect((await http(server.port, `/?token=${server.token}`)).status).toBe(200);
  });

  it('answers 413 to a body over 1 MiB, before the socket closes', async () => {
    const headers = { 'x-sngan-token': server.token, 'content-type': 'application/json' };
    const big = Buffer.alloc((1 << 20) + 1, 0x20);
    const declared = await http(server.port, '/api/runs.get', { method: 'POST', headers, body: big });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.code).toBe('invalid_request');
    // chunked: no length up front, so the limit is found while reading
    const chunked = await streamBody(server.port, '/api/runs.get', headers, 4 << 20);
    expect(chunked.status).toBe(413);
    const ok = await http(server.port, '/api/runs.get', { method: 'POST', headers, body: JSON.stringify({ id: 'r' }) });
    expect(ok.status).toBe(200);
  });
});
