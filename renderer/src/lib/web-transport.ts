/** Web-mode transport: calls are POST /api/<name>, events arrive on one WebSocket. */
import { type Api, type ApiResult, type CallName, type EventName, unwrap, parseEvent } from '../../../shared/api';

type Listener = (payload: unknown) => void;

export function createWebApi(location: Location): Api {
  // The token arrives once in the URL; the server also set an HttpOnly cookie, so reloads work without it.
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['x-sngan-token'] = token;
  const listeners = new Map<EventName, Set<Listener>>();
  let socket: WebSocket | undefined;
  let retry = 0;

  function connect(): void {
    const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    socket = new WebSocket(wsUrl);
    socket.onopen = () => (retry = 0);
    socket.onmessage = (msg) => {
      let data: { event?: EventName; payload?: unknown };
      try {
        data = JSON.parse(String(msg.data));
      } catch {
        return;
      }
      if (!data.event || !listeners.has(data.event)) return;
      const parsed = parseEvent(data.event, data.payload);
      if (!parsed.ok) {
        console.warn(parsed.error.message);
        return;
      }
      for (const l of listeners.get(data.event) ?? []) l(parsed.value);
    };
    socket.onclose = () => {
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 250 * 2 ** retry);
    };
  }
  connect();

  return {
    async call(name: CallName, req: unknown) {
      const res = await fetch(`/api/${name}`, { method: 'POST', headers, body: JSON.stringify(req ?? {}), credentials: 'same-origin' });
      let body: ApiResult<unknown>;
      try {
        body = (await res.json()) as ApiResult<unknown>;
      } catch {
        body = { ok: false, error: { code: 'transport', message: `The server answered ${res.status} ${res.statusText}` } };
      }
      return unwrap(body);
    },
    on(name: EventName, listener: Listener) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(listener);
      return () => listeners.get(name)?.delete(listener);
    },
  } as Api;
}
