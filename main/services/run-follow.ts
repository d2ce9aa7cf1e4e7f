/**
 * Following a run folder that another engine writes (the PyTorch package here or elsewhere, a cluster's shared disk):
 * its new metrics rows, sample grids and status changes reach clients as the same events a local trainer's do, and
 * its metrics rows as progress.
 */
import type { RunSummary } from '../../shared/api';
import type { RunState } from '../../shared/events';
import { watchRun } from '../runs/watch';
import { openRunById, type RunInfo } from '../runs/store';
import type { ServiceContext } from './context';

const FINAL_STATES: RunState[] = ['finished', 'stopped', 'failed'];

export function runFollower(ctx: ServiceContext, summarize: (run: RunInfo) => RunSummary) {
  const watchers = new Map<string, { close(): void; check(): Promise<void> }>();

  /**
   * Watch `run` until its status is final; `owned` (a process of the app's writes it, and may start from a final
   * status when it resumes): until the owner calls `finish`.
   */
  function follow(run: RunInfo, owned = false): void {
    if (watchers.has(run.id) || (!owned && FINAL_STATES.includes(run.status.state))) return;
    let metricsSeen = false;
    let last: { step: number; at: number } | null = null;
    const progress = (row: Record<string, unknown>) => {
      if (row.type !== 'metrics' || typeof row.step !== 'number') return;
      const now = Date.now();
      const rate = last && row.step > last.step && now > last.at ? ((row.step - last.step) * 1000) / (now - last.at) : 0;
      last = { step: row.step, at: now };
      const steps = run.status.steps;
      ctx.events.emit('run.progress', { runId: run.id, step: row.step, steps, stepsPerSec: rate, etaSec: rate > 0 ? Math.max(0, steps - row.step) / rate : 0 });
    };
    const w = watchRun(run.dir, {
      metrics: (rows) => {
        // The first pass replays what is already there: clients read that with runs.metrics.
        if (!metricsSeen) return void (metricsSeen = true);
        for (const m of rows) {
          ctx.events.emit('run.metrics', { runId: run.id, metrics: m });
          progress(m);
        }
      },
      sample: (step) => metricsSeen && ctx.events.emit('run.sample', { runId: run.id, step }),
      status: () => {
        void openRunById(ctx.workspace, run.id)
          .then((r) => {
            run = r;
            ctx.events.emit('run.status', summarize(r));
            if (!owned && FINAL_STATES.includes(r.status.state)) stop(run.id);
          })
          .catch(() => undefined);
      },
    });
    watchers.set(run.id, w);
    void w.check().then(() => (metricsSeen = true));
  }

  function stop(id: string): void {
    watchers.get(id)?.close();
    watchers.delete(id);
  }

  /** The owner's process ended: pass on what it wrote last, then stop watching. */
  async function finish(id: string): Promise<void> {
    await watchers.get(id)?.check();
    stop(id);
  }

  return {
    follow,
    finish,
    stop,
    close(): void {
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
