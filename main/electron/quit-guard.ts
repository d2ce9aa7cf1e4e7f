/**
 * Quitting with a run in progress: ask first; if the user agrees, stop every run with a checkpoint
 * (services.close()) and only then let the app quit. Plain logic over injected callbacks.
 */
export interface QuitDeps {
  activeRuns(): number;
  /** Resolves true to quit (stopping runs with a checkpoint), false to stay. */
  confirm(active: number): Promise<boolean>;
  /** Stops all runs with a checkpoint (services.close()). */
  close(): Promise<void>;
  /** Re-issues the quit once closing is done (app.quit()). */
  quit(): void;
  /** Upper bound on waiting for close() before quitting anyway. */
  timeoutMs?: number;
}

export type QuitPhase = 'idle' | 'asking' | 'closing' | 'done';

export class QuitGuard {
  phase: QuitPhase = 'idle';
  constructor(private deps: QuitDeps) {}

  /** Call from app 'before-quit'; when it returns true, call event.preventDefault(). */
  beforeQuit(): boolean {
    if (this.phase === 'done') return false;
    if (this.phase !== 'idle') return true; // already asking or closing: swallow repeated quits
    const active = this.deps.activeRuns();
    this.phase = active > 0 ? 'asking' : 'closing';
    void this.run(active);
    return true;
  }

  private async run(active: number): Promise<void> {
    if (active > 0) {
      const ok = await this.deps.confirm(active).catch(() => false);
      if (!ok) {
        this.phase = 'idle';
        return;
      }
      this.phase = 'closing';
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, this.deps.timeoutMs ?? 30_000)));
    await Promise.race([this.deps.close().catch(() => undefined), timeout]);
    clearTimeout(timer);
    this.phase = 'done';
    this.deps.quit();
  }
}

/** The confirmation dialog's text (Electron's dialog.showMessageBox options). */
export function confirmQuitMessage(active: number) {
  const runs = active === 1 ? 'A training run is' : `${active} training runs are`;
  return {
    type: 'question' as const,
    buttons: ['Stop and Quit', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    title: 'Quit SNGAN Studio?',
    message: `${runs} in progress.`,
    detail: 'Quitting stops training after writing a checkpoint; resume it later from the Train view.',
  };
}
