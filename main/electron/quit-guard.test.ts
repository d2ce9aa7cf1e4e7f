import { describe, expect, it, vi } from 'vitest';
import { confirmQuitMessage, QuitGuard, type QuitDeps } from './quit-guard';

const tick = () => new Promise((r) => setTimeout(r, 0));

function deps(active: number, answer: boolean, close: () => Promise<void> = async () => {}) {
  const d = { activeRuns: () => active, confirm: vi.fn(async (_n: number) => answer), close: vi.fn(close), quit: vi.fn(() => {}), timeoutMs: 200 };
  return d satisfies QuitDeps;
}

describe('confirm before quit', () => {
  it('no run in progress: closes services (no question) and quits', async () => {
    const d = deps(0, true);
    const g = new QuitGuard(d);
    expect(g.beforeQuit()).toBe(true);
    await tick();
    expect(d.confirm).not.toHaveBeenCalled();
    expect(d.close).toHaveBeenCalledOnce();
    expect(d.quit).toHaveBeenCalledOnce();
    expect(g.beforeQuit()).toBe(false); // the re-issued quit goes through
  });

  it('asks with runs in progress; cancel keeps the app and its runs', async () => {
    const d = deps(2, false);
    const g = new QuitGuard(d);
    expect(g.beforeQuit()).toBe(true);
    await tick();
    expect(d.confirm).toHaveBeenCalledWith(2);
    expect(d.close).not.toHaveBeenCalled();
    expect(d.quit).not.toHaveBeenCalled();
    expect(g.phase).toBe('idle');
  });

  it('confirm stops runs with a checkpoint before quitting; repeated quits are swallowed meanwhile', async () => {
    let finish!: () => void;
    const d = deps(1, true, () => new Promise<void>((r) => (finish = r)));
    const g = new QuitGuard(d);
    g.beforeQuit();
    await tick();
    expect(g.phase).toBe('closing');
    expect(g.beforeQuit()).toBe(true);
    expect(d.quit).not.toHaveBeenCalled();
    finish();
    await tick();
    expect(d.quit).toHaveBeenCalledOnce();
  });

  it('a stuck close does not keep the app open forever', async () => {
    const d = deps(1, true, () => new Promise<void>(() => {}));
    new QuitGuard(d).beforeQuit();
    await new Promise((r) => setTimeout(r, 300));
    expect(d.quit).toHaveBeenCalledOnce();
  });

  it('says how many runs will be stopped', () => {
    expect(confirmQuitMessage(1).message).toBe('A training run is in progress.');
    expect(confirmQuitMessage(3).message).toBe('3 training runs are in progress.');
    expect(confirmQuitMessage(1).cancelId).toBe(1);
  });
});
