import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_BUFFERED, SLOW_CLIENT_CODE } from './events-socket';
import type { WebServer } from './server';
import { startTestServer, ticketFor, type FakeServices } from './server.test-util';

describe('events socket backpressure', () => {
  let server: WebServer;
  let services: FakeServices;
  beforeAll(async () => {
    ({ server, services } = await startTestServer());
  });
  afterAll(() => server.close());

  it('closes a client that stops reading once its backlog passes the bound, instead of buffering without end', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?ticket=${await ticketFor(server)}`);
    await new Promise((resolve) => ws.on('open', resolve));
    let received = 0;
    ws.on('message', () => received++);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    ws.pause(); // a tab that has stopped reading (asleep, or on a slow link)

    const sent = 64;
    const runId = 'x'.repeat(1 << 20);
    for (let i = 0; i < sent; i++) services.events.emit('run.progress', { runId, step: i, steps: sent, stepsPerSec: 1, etaSec: 1 });
    expect(sent * runId.length).toBeGreaterThan(4 * MAX_BUFFERED); // more than the kernel's buffers and the bound together

    ws.resume();
    const outcome = await Promise.race([closed, new Promise<'all'>((resolve) => ws.on('message', () => received === sent && resolve('all')))]);
    expect(outcome).toEqual({ code: SLOW_CLIENT_CODE, reason: expect.stringMatching(/too slow/) });
    expect(received).toBeLessThan(sent);
  });
});
