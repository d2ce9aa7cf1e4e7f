/** Web-mode credentials: the random token, and where each kind of request may present it. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'sngan_token';
export const TOKEN_HEADER = 'x-sngan-token';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * The token of an API call: the header only. A page on another origin gets the cookie sent along, but it cannot
 * set a custom header without a CORS preflight, which this server never grants.
 */
export function headerToken(req: IncomingMessage): string | undefined {
  const h = req.headers[TOKEN_HEADER];
  return typeof h === 'string' && h ? h : undefined;
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

/** The token of a page or asset GET: the URL's (the first visit) or the cookie's (assets, reloads). */
export function pageToken(req: IncomingMessage, url: URL): { token?: string; via?: 'query' | 'cookie' } {
  const q = url.searchParams.get('token');
  if (q) return { token: q, via: 'query' };
  const c = readCookie(req.headers.cookie, TOKEN_COOKIE);
  if (c) return { token: c, via: 'cookie' };
  return {};
}

/** True for `application/json`, with or without parameters: a cross-origin form or a no-preflight fetch cannot send it. */
export function isJsonRequest(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}
