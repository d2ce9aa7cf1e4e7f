/**
 * Web-mode transport: calls are POST /api/<name> with the token in the x-sngan-token header; events arrive on one
 * WebSocket, opened with a one-time ticket fetched the same way before every (re)connect.
 */
import { type Api, type ApiResult, type CallName, type EventName, unwrap, parseEvent } from '../../../shared/api';
import { takeToken, type TokenWindow } from './web-token';

type Listener = (payload: unknown) => void;

export type WebWindow = TokenWindow & Pick<Window & typeof globalThis, 'fetch' | 'WebSocket'>;

export function createWebApi(win: WebWindow): Api {
  const token = takeToken(win);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['x-sngan-token'] = token;
  const listeners = new Map<EventName, Set<Listener>>();
  let retry = 0;

  const post = (path: string, body: unknown) => win.fetch(path, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });

  function reconnectLater(): void {
    retry = Math.min(retry + 1, 6);
    setTimeout(() => void connect(), 250 * 2 ** retry);
  }

  async function connect(): Promise<void> {
    let ticket: string;
    try {
      const res = await post('/events/ticket', {});
      if (!res.ok) throw new Error(`The server answered ${res.status}`);
      ticket = ((await res.json()) as { ticket: string }).ticket;
    } catch {
      reconnectLater();
      return;
    }
    const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new win.WebSocket(`${scheme}://${win.location.host}/events?ticket=${encodeURIComponent(ticket)}`);
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
    socket.onclose = reconnectLater;
  }
  void connect();

  return {
    async call(name: CallName, req: unknown) {
      const res = await post(`/api/${name}`, req);
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
