/**
 * The /events WebSocket: takes the handshakes the server admits and sends every service event to each open socket,
 * closing one that falls too far behind rather than holding its backlog in memory without bound.
 */
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventBus } from '../services/event-bus';

/** How far a socket may fall behind (bytes queued, not yet taken by the kernel) before it is closed. */
export const MAX_BUFFERED = 8 << 20;
/** Close code for that (4000–4999 is for applications); the page reconnects with a fresh ticket. */
export const SLOW_CLIENT_CODE = 4008;

const CLOSE_GRACE_MS = 10_000;

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

/** `admit` answers 0 to let a handshake through, or the HTTP status to refuse it with. */
export function attachEventSocket(server: Server, opts: { events: EventBus; admit(req: IncomingMessage): number }): { close(): void } {
  const sockets = new Set<WebSocket>();
  // The page sends nothing on it: a small inbound limit.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const status = opts.admit(req);
    if (status) {
      socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });
  function dropSlow(ws: WebSocket): void {
    sockets.delete(ws);
    ws.close(SLOW_CLIENT_CODE, `too slow: over ${MAX_BUFFERED} bytes of events unsent`);
    // The close frame queues behind the backlog; a client that never reads it must not hold the socket.
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  }
  const unsubscribe = opts.events.subscribe((event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED) dropSlow(ws);
      else ws.send(text);
    }
  });
  return {
    close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}
