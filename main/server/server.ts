/**
 * Web mode: the same services over HTTP (calls) + WebSocket (events), on loopback only, behind a token.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services } from '../services/services';
import { isAllowedOrigin, isLoopbackHost, newToken, presentedToken, safeEqual, TOKEN_COOKIE } from './auth';
import { readBody } from './body';
import { createLimitedServer } from './limits';
import { parseTarget } from './request-target';
import { serveStatic } from './static';

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startWebServer(opts: { services: Services; rendererDir: string; port?: number; token?: string; host?: string }): Promise<WebServer> {
  const token = opts.token ?? newToken();
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<WebSocket>();

  /** status 0 means allowed; otherwise the HTTP status and why. */
  function guard(req: IncomingMessage, url: URL): { status: number; message: string; via?: string } {
    if (!isLoopbackHost(req.headers.host) || !isAllowedOrigin(req.headers.origin)) return { status: 403, message: 'Forbidden: not a loopback host or origin' };
    const presented = presentedToken(req, url);
    if (!presented.token || !safeEqual(presented.token, token)) return { status: 401, message: 'Unauthorized: open the URL printed by `sngan-studio serve` (it carries the token)' };
    return { status: 0, message: '', via: presented.via };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseTarget(req.url);
    if (!target) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad request: malformed URL');
      return;
    }
    const { url, path } = target;
    const verdict = guard(req, url);
    if (verdict.status) {
      res.writeHead(verdict.status, { 'content-type': 'text/plain; charset=utf-8' }).end(verdict.message);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      const body = await readBody(req);
      if (body === 'too-large') {
        // Answer first, then drop the connection rather than read the rest of the upload.
        res.setHeader('connection', 'close');
        res.once('finish', () => req.socket.destroy());
        sendJson(res, 413, { ok: false, error: { code: 'invalid_request', message: 'Request body is over 1 MiB' } });
        return;
      }
      let payload: unknown;
      try {
        payload = body.length ? JSON.parse(body) : {};
      } catch {
        sendJson(res, 400, { ok: false, error: { code: 'invalid_request', message: 'Request body is not JSON' } });
        return;
      }
      const result = await opts.services.call(url.pathname.slice('/api/'.length), payload);
      sendJson(res, 200, result);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (verdict.via === 'query') {
      // Remember the token for the page's own asset requests and reloads; never readable by scripts.
      res.setHeader('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    await serveStatic(opts.rendererDir, path, res);
  }

  const server: Server = createLimitedServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error('[server]', err);
      if (!res.headersSent) res.writeHead(500).end('Internal error');
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const target = parseTarget(req.url);
    if (!target) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const verdict = guard(req, target.url);
    if (verdict.status || target.path !== '/events') {
      socket.end(`HTTP/1.1 ${verdict.status || 404} ${verdict.status === 401 ? 'Unauthorized' : 'Refused'}\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });
  const unsubscribe = opts.services.events.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}
