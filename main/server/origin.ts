/** Where a request may come from: this machine's loopback names (DNS-rebinding defence), and only this server's own origin. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function hostOnly(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

/** True when the Host header names this machine's loopback, so a rebinding page on another name is refused. */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  return LOOPBACK_HOSTS.has(hostOnly(hostHeader.toLowerCase()));
}

/**
 * An Origin, when one is sent, must be exactly http://<loopback name>:<this port>: cookies reach every port of
 * 127.0.0.1, so a page served by some other local program is not us. Browsers always send Origin on POSTs and
 * WebSocket handshakes; a request without one comes from a non-browser client, which must hold the token anyway.
 */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.origin === origin && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname) && (url.port || '80') === String(port);
}
