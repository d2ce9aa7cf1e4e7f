/**
 * Web mode: the same services over HTTP (calls) + WebSocket (events), on loopback only, for this server's own
 * origin, behind a token: in the x-sngan-token header for calls, traded for a one-time ticket for the events socket.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Services } from '../services/services';
import { headerToken, isJsonRequest, newToken, pageToken, safeEqual, TOKEN_COOKIE } from './auth';
import { MAX_BODY, readBody } from './body';
import { attachEventSocket } from './events-socket';
import { createLimitedServer } from './limits';
import { isLoopbackHost, isOwnOrigin } from './origin';
import { parseTarget, type Target } from './request-target';
import { serveStatic } from './static';
import { createTickets } from './tickets';

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const UNAUTHORIZED = 'Unauthorized: open the URL printed by `sngan-studio serve` (it carries the token)';

export async function startWebServer(opts: { services: Services; rendererDir: string; port?: number; token?: string; host?: string }): Promise<WebServer> {
  const token = opts.token ?? newToken();
  const host = opts.host ?? '127.0.0.1';
  const tickets = createTickets();
  let port = 0;

  const fromHere = (req: IncomingMessage) => isLoopbackHost(req.headers.host) && isOwnOrigin(req.headers.origin, port);
  const holdsToken = (presented: string | undefined) => presented !== undefined && safeEqual(presented, token);

  /** POST /api/<name> (a service call) and POST /events/ticket: header token, JSON body. */
  async function handleCall(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!holdsToken(headerToken(req))) return sendText(res, 401, UNAUTHORIZED);
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    if (!isJsonRequest(req)) return sendJson(res, 415, { ok: false, error: { code: 'invalid_request', message: 'Content-Type must be application/json' } });
    const body = await readBody(req);
    if (body === 'too-large') {
      // Answer first, then drop the connection rather than read the rest of the upload.
      res.setHeader('connection', 'close');
      res.once('finish', () => req.socket.destroy());
      return sendJson(res, 413, { ok: false, error: { code: 'invalid_request', message: `Request body is over ${MAX_BODY} bytes` } });
    }
    let payload: unknown;
    try {
      payload = body.length ? JSON.parse(body) : {};
    } catch {
      return sendJson(res, 400, { ok: false, error: { code: 'invalid_request', message: 'Request body is not JSON' } });
    }
    if (path === '/events/ticket') return sendJson(res, 200, { ticket: tickets.issue() });
    sendJson(res, 200, await opts.services.call(path.slice('/api/'.length), payload));
  }

  /** GET of the page and its assets: the token from the first visit's URL, or the cookie that visit set. */
  async function handlePage(req: IncomingMessage, res: ServerResponse, { url, path }: Target): Promise<void> {
    const presented = pageToken(req, url);
    if (!holdsToken(presented.token)) return sendText(res, 401, UNAUTHORIZED);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (presented.via === 'query') {
      // For the page's own asset requests and reloads; never readable by scripts, and never enough for a call.
      res.setHeader('set-cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    await serveStatic(opts.rendererDir, path, res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseTarget(req.url);
    if (!target) return sendText(res, 400, 'Bad request: malformed URL');
    if (!fromHere(req)) return sendText(res, 403, "Forbidden: not this server's loopback origin");
    if (target.path.startsWith('/api/') || target.path === '/events/ticket') return handleCall(req, res, target.path);
    return handlePage(req, res, target);
  }

  const server: Server = createLimitedServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error('[server]', err);
      if (!res.headersSent) res.writeHead(500).end('Internal error');
    });
  });

  const events = attachEventSocket(server, {
    events: opts.services.events,
    admit(req) {
      const target = parseTarget(req.url);
      if (!target) return 400;
      if (!fromHere(req)) return 403;
      if (target.path !== '/events') return 404;
      return tickets.redeem(target.url.searchParams.get('ticket')) ? 0 : 401;
    },
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      events.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}
