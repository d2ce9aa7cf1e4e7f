import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebApi, type WebWindow } from './web-transport';

class FakeSocket {
  static made: FakeSocket[] = [];
  onopen?: () => void;
  onmessage?: (msg: { data: string }) => void;
  onclose?: () => void;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
}

function fakeWindow(href: string, kept: Record<string, string> = {}) {
  const store = new Map(Object.entries(kept));
  const replaced: string[] = [];
  const requests: { path: string; headers: Record<string, string> }[] = [];
  let tickets = 0;
  const win = {
    location: new URL(href),
    history: { state: null, replaceState: (_state: unknown, _title: string, url: string) => replaced.push(url) },
    sessionStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v) },
    async fetch(path: string, init: { headers: Record<string, string> }) {
      requests.push({ path, headers: init.headers });
      const body = path === '/events/ticket' ? { ticket: `t${tickets++}` } : { ok: true, value: { id: 'r' } };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    },
    WebSocket: FakeSocket,
  };
  return { win: win as unknown as WebWindow, store, replaced, requests };
}

describe('web transport', () => {
  beforeEach(() => {
    FakeSocket.made = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('takes the token out of the address bar, keeps it for the tab, and sends it in the header on every call', async () => {
    const { win, store, replaced, requests } = fakeWindow('http://127.0.0.1:8765/?token=abc&view=train#runs');
    const api = createWebApi(win);
    expect(replaced).toEqual(['/?view=train#runs']);
    expect([...store.values()]).toEqual(['abc']);
    await api.call('runs.get', { id: 'r' } as never);
    for (const r of requests) expect(r.headers).toMatchObject({ 'x-sngan-token': 'abc', 'content-type': 'application/json' });
    expect(requests.map((r) => r.path)).toContain('/api/runs.get');
  });

  it('after a reload, with no token in the URL, uses the one kept for the tab', async () => {
    const first = fakeWindow('http://127.0.0.1:8765/?token=abc');
    createWebApi(first.win);
    const reload = fakeWindow('http://127.0.0.1:8765/', Object.fromEntries(first.store));
    await createWebApi(reload.win).call('runs.get', { id: 'r' } as never);
    expect(reload.replaced).toEqual([]);
    expect(reload.requests.at(-1)!.headers['x-sngan-token']).toBe('abc');
  });

  it('opens the events socket with a fresh one-time ticket on every (re)connect, never with the token', async () => {
    const { win, requests } = fakeWindow('http://127.0.0.1:8765/?token=abc');
    createWebApi(win);
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.made.map((s) => s.url)).toEqual(['ws://127.0.0.1:8765/events?ticket=t0']);
    expect(requests[0]).toMatchObject({ path: '/events/ticket', headers: { 'x-sngan-token': 'abc' } });
    FakeSocket.made[0]!.onclose!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.made.map((s) => s.url)).toEqual(['ws://127.0.0.1:8765/events?ticket=t0', 'ws://127.0.0.1:8765/events?ticket=t1']);
    expect(FakeSocket.made.some((s) => s.url.includes('abc'))).toBe(false);
  });
});
