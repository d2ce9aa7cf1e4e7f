/**
 * Follows a run folder another process writes (an external run, e.g. the PyTorch package on a shared disk):
 * inotify-style watches on the folder and its samples/ (no polling of the whole tree), new metrics.jsonl lines
 * read from the last offset (a torn last line waits for its newline), new samples/step-<n>.png, status.json changes.
 * A slow fallback timer also re-checks, since some network file systems deliver no change events.
 */
import { watch, type FSWatcher, promises as fs } from 'node:fs';
import path from 'node:path';

export interface RunWatchEvents {
  metrics(lines: Record<string, unknown>[]): void;
  sample(step: number): void;
  status(): void;
}

const SAMPLE_RE = /^step-(\d+)\.png$/;

export function watchRun(dir: string, on: RunWatchEvents, opts: { fallbackMs?: number } = {}): { close(): void; check(): Promise<void> } {
  let offset = 0;
  let partial = '';
  const seen = new Set<number>();
  let statusMtime = 0;
  let busy: Promise<void> = Promise.resolve();
  const watchers: FSWatcher[] = [];
  let closed = false;

  async function readMetrics(): Promise<void> {
    const file = path.join(dir, 'metrics.jsonl');
    const st = await fs.stat(file).catch(() => null);
    if (!st) return;
    if (st.size < offset) [offset, partial] = [0, '']; // rewritten (a resume truncated it): read again
    if (st.size === offset) return;
    const fh = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(st.size - offset);
      await fh.read(buf, 0, buf.length, offset);
      offset = st.size;
      const text = partial + buf.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      const rows = lines.filter((l) => l.trim()).flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
      if (rows.length) on.metrics(rows);
    } finally {
      await fh.close();
    }
  }

  async function readSamples(): Promise<void> {
    const names = await fs.readdir(path.join(dir, 'samples')).catch(() => [] as string[]);
    const steps = names.map((n) => SAMPLE_RE.exec(n)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
    for (const s of steps) {
      if (seen.has(s)) continue;
      seen.add(s);
      on.sample(s);
    }
  }

  async function readStatus(): Promise<void> {
    const st = await fs.stat(path.join(dir, 'status.json')).catch(() => null);
    if (st && st.mtimeMs !== statusMtime) {
      statusMtime = st.mtimeMs;
      on.status();
    }
  }

  /** One pass over what may have changed; passes never overlap. */
  const check = (): Promise<void> => (busy = busy.then(async () => {
    if (closed) return;
    await readMetrics();
    await readSamples();
    await readStatus();
  }).catch(() => undefined));

  const watchDir = (d: string) => {
    try {
      const w = watch(d, { persistent: false }, () => void check());
      w.on('error', () => undefined);
      watchers.push(w);
    } catch {
      /* not there yet: the fallback timer covers it */
    }
  };
  watchDir(dir);
  watchDir(path.join(dir, 'samples'));
  const timer = setInterval(() => {
    if (watchers.length < 2) watchDir(path.join(dir, 'samples'));
    void check();
  }, opts.fallbackMs ?? 5000);
  timer.unref();
  return {
    check,
    close() {
      closed = true;
      clearInterval(timer);
      for (const w of watchers) w.close();
    },
  };
}
