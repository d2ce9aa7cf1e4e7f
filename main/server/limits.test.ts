import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { createLimitedServer, LIMITS } from './limits';
import type { WebServer } from './server';
import { http, raw, startTestServer } from './server.test-util';

describe('web server limits', () => {
  it('bounds how long headers and a whole request may take, and how many connections are held', () => {
    const server = createLimitedServer(() => {});
    // Node's defaults are 60 s, 300 s and no cap: a slow client could hold sockets for minutes.
    expect(server.headersTimeout).toBeLessThanOrEqual(10_000);
    expect(server.requestTimeout).toBeLessThanOrEqual(30_000);
    expect(server.requestTimeout).toBeGreaterThan(server.headersTimeout);
    expect(server.maxConnections).toBe(64);
  });

  describe('on the running web server', () => {
    let server: WebServer;
    beforeAll(async () => {
      ({ server } = await startTestServer());
    });
    afterAll(() => server.close());

    it('drops connections past the cap, and serves again once they are gone', async () => {
      const held: Socket[] = await Promise.all(
        Array.from({ length: LIMITS.maxConnections }, () => new Promise<Socket>((resolve, reject) => {
          const s = connect(server.port, '127.0.0.1', () => resolve(s));
          s.on('error', reject);
        })),
      );
      const refused = await raw(server.port, `GET /?token=${server.token} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(refused).toBe('');
      held.forEach((s) => s.destroy());
      await expect.poll(async () => (await http(server.port, `/?token=${server.token}`)).status, { timeout: 5000 }).toBe(200);
    });
  });
});
