/** Web-mode guards: a random token, loopback-only Host/Origin (DNS-rebinding defence). */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'sngan_token';
export const TOKEN_HEADER = 'x-sngan-token';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

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

/** An Origin, when a browser sends one, must be a loopback http origin too. */
export function isAllowedOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname === '::1' ? '[::1]' : url.hostname);
  } catch {
    return false;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined; // malformed: treated as no cookie, so the answer is 401, not 500
    }
  }
  return undefined;
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Where the request carried its token: query (first visit), header (API calls) or cookie (assets, reloads). */
export function presentedToken(req: IncomingMessage, url: URL): { token?: string; via?: 'query' | 'header' | 'cookie' } {
  const q = url.searchParams.get('token');
  if (q) return { token: q, via: 'query' };
  const h = req.headers[TOKEN_HEADER];
  if (typeof h === 'string' && h) return { token: h, via: 'header' };
  const c = readCookie(req.headers.cookie, TOKEN_COOKIE);
  if (c) return { token: c, via: 'cookie' };
  return {};
}
