import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { watchRun } from './watch';

const root = mkdtempSync(path.join(tmpdir(), 'sngan-watch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const until = async (cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('watchRun', () => {
  it('streams appended metrics lines (a torn line waits for its newline), new samples and status changes', async () => {
    const dir = path.join(root, 'run');
    mkdirSync(path.join(dir, 'samples'), { recursive: true });
    writeFileSync(path.join(dir, 'metrics.jsonl'), '{"type":"metrics","step":1}\n');
    const rows: unknown[] = [];
    const samples: number[] = [];
    let statuses = 0;
    const w = watchRun(dir, { metrics: (r) => rows.push(...r), sample: (s) => samples.push(s), status: () => statuses++ }, { fallbackMs: 60_000 });
    await w.check();
    expect(rows).toEqual([{ type: 'metrics', step: 1 }]);
    appendFileSync(path.join(dir, 'metrics.jsonl'), '{"type":"metrics","st');
    await w.check();
    expect(rows).toHaveLength(1);
    appendFileSync(path.join(dir, 'metrics.jsonl'), 'ep":2}\n{"type":"metrics","step":3}\n');
    // the file watch fires by itself
    await until(() => rows.length === 3);
    expect(rows.at(-1)).toEqual({ type: 'metrics', step: 3 });
    writeFileSync(path.join(dir, 'samples', 'step-10.png'), 'png');
    await until(() => samples.includes(10));
    writeFileSync(path.join(dir, 'status.json'), '{}');
    await until(() => statuses >= 1);
    w.close();
  });
});
