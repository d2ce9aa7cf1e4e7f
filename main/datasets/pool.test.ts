import { describe, expect, it } from 'vitest';
import { orderedPool } from './pool';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('orderedPool', () => {
  it('sinks in input order, keeps at most `limit` running, and refills a slot as soon as any item finishes', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    let running = 0;
    let maxRunning = 0;
    const startedWhileFirstRan: number[] = [];
    let firstDone = false;
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const out: number[] = [];
    await orderedPool(
      items,
      4,
      async (i) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (!firstDone) startedWhileFirstRan.push(i);
        if (i === 15) openGate();
        // item 0 is slow: it finishes only after item 15 started, and a little later
        await (i === 0 ? gate.then(() => sleep(20)) : sleep(1 + (i % 3)));
        running--;
        if (i === 0) firstDone = true;
        if (i === 7) throw new Error('bad seven');
        return i * 10;
      },
      (r, item, index) => {
        expect(index).toBe(item);
        out.push(r.ok ? r.value : -1);
      },
    );
    expect(out).toEqual(items.map((i) => (i === 7 ? -1 : i * 10)));
    expect(maxRunning).toBe(4);
    // the other three slots kept turning over behind item 0, up to the reorder window (4 × limit) and no further
    expect(startedWhileFirstRan.length).toBe(16);
  });

  it('stops starting work when aborted and waits for what is running', async () => {
    const abort = new AbortController();
    const started: number[] = [];
    let finished = 0;
    await orderedPool(
      Array.from({ length: 100 }, (_, i) => i),
      3,
      async (i) => {
        started.push(i);
        await sleep(2);
        finished++;
        return i;
      },
      (_r, _item, index) => {
        if (index === 5) abort.abort();
      },
      abort.signal,
    );
    expect(started.length).toBeLessThan(20);
    expect(finished).toBe(started.length);
  });
});
