/** Test support for the web-mode server: a services double, a started server, and HTTP / raw-socket clients. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../services/event-bus';
import type { Services } from '../services/services';
import { parseRequest } from '../../shared/api';
import { startWebServer, type WebServer } from './server';

// The server's job is transport and guards, not what the calls do.
export function fakeServices(): Services & { events: EventBus } {
  const events = new EventBus();
  return {
    events,
    workspace: '/tmp/ws',
    async call(name, req) {
      if (name !== 'runs.get') return { ok: false, error: { code: 'unknown_call', message: `Unknown call: ${name}` } };
      const parsed = parseRequest('runs.get', req);
      return parsed.ok ? { ok: true, value: { echo: parsed.value.id } } : parsed;
    },
    async close() {},
  };
}

export type FakeServices = ReturnType<typeof fakeServices>;

export async function startTestServer(): Promise<{ server: WebServer; services: FakeServices }> {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>SNGAN Studio</title>');
  const services = fakeServices();
  const server = await startWebServer({ services, rendererDir: dir });
  return { server, services };
}

/** A one-time ticket for the events socket, as the page gets one. */
export async function ticketFor(server: WebServer): Promise<string> {
  const res = await http(server.port, '/events/ticket', { method: 'POST', headers: { 'x-sngan-token': server.token, 'content-type': 'application/json' }, body: '{}' });
  return (JSON.parse(res.body) as { ticket: string }).ticket;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function http(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** POSTs `bytes` of JSON-ish padding in 64 KiB chunks with no Content-Length; resolves on the answer, whatever the socket does after. */
export function streamBody(port: number, path: string, headers: Record<string, string>, bytes: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 << 10, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

/** Writes bytes on a plain TCP socket and collects everything the server sends until it closes (or resets) it. */
export function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', () => undefined); // the 'close' that follows resolves
    socket.setTimeout(5000, () => socket.destroy());
  });
}
