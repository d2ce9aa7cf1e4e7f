/**
 * The dock/taskbar progress bar while training, from the services' run events.
 * `bar()` gives what BrowserWindow.setProgressBar takes: -1 removes it, 0..1 is a fraction, 2 is indeterminate.
 */
export type BarMode = 'none' | 'normal' | 'indeterminate' | 'error' | 'paused';
export interface Bar {
  value: number;
  mode: BarMode;
}

type RunLive = { state: string; step: number; steps: number };

/** Combines all live runs into one bar: total steps done over total steps. */
export function progressBar(runs: readonly RunLive[]): Bar {
  const live = runs.filter((r) => r.state === 'running' || r.state === 'paused');
  if (!live.length) return { value: -1, mode: 'none' };
  const total = live.reduce((s, r) => s + Math.max(0, r.steps), 0);
  const allPaused = live.every((r) => r.state === 'paused');
  if (total <= 0) return { value: 2, mode: 'indeterminate' };
  const done = live.reduce((s, r) => s + Math.min(Math.max(0, r.step), Math.max(0, r.steps)), 0);
  const value = Math.min(1, Math.max(0, done / total));
  return { value: Math.round(value * 1000) / 1000, mode: allPaused ? 'paused' : 'normal' };
}

/** Follows run.status / run.progress events and says when the bar changes. */
export class RunTracker {
  private runs = new Map<string, RunLive>();
  private last: Bar = { value: -1, mode: 'none' };

  /** Feed an API event; returns the new bar when it changed, else undefined. */
  onEvent(name: string, payload: unknown): Bar | undefined {
    const p = payload as { runId?: string; id?: string; state?: string; step?: number; steps?: number };
    if (name === 'run.status' && p.id && p.state) {
      if (p.state === 'running' || p.state === 'paused') {
        const prev = this.runs.get(p.id);
        this.runs.set(p.id, { state: p.state, step: p.step ?? prev?.step ?? 0, steps: p.steps ?? prev?.steps ?? 0 });
      } else this.runs.delete(p.id);
    } else if (name === 'run.progress' && p.runId) {
      const prev = this.runs.get(p.runId);
      this.runs.set(p.runId, { state: prev?.state ?? 'running', step: p.step ?? 0, steps: p.steps ?? prev?.steps ?? 0 });
    } else return undefined;
    const next = progressBar([...this.runs.values()]);
    if (next.value === this.last.value && next.mode === this.last.mode) return undefined;
    this.last = next;
    return next;
  }

  /** Runs whose trainer is alive (running or paused). */
  active(): string[] {
    return [...this.runs.keys()];
  }
}
