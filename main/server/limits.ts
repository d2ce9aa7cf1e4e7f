/** Connection limits for the web server, so slow or abandoned clients cannot hold sockets or memory without end. */
import { createServer, type RequestListener, type Server } from 'node:http';

export const LIMITS = {
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: 10_000,
  /** The whole request, body included (1 MiB at most), within this. Upgraded WebSockets are not subject to it. */
  requestTimeoutMs: 30_000,
  /** How often Node checks the two timeouts above (its default, 30 s, would let them overrun by that much). */
  checkIntervalMs: 2_000,
  /** HTTP and WebSocket connections together; one browser needs a handful. */
  maxConnections: 64,
} as const;

export function createLimitedServer(listener: RequestListener): Server {
  const server = createServer(
    { headersTimeout: LIMITS.headersTimeoutMs, requestTimeout: LIMITS.requestTimeoutMs, connectionsCheckingInterval: LIMITS.checkIntervalMs },
    listener,
  );
  server.maxConnections = LIMITS.maxConnections;
  return server;
}
