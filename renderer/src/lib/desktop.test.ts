import { describe, expect, it, vi } from 'vitest';
import { handleMenuCommand, nativeDialog, onMenu, type MenuTarget } from './desktop';

function target(): MenuTarget & { [K in keyof MenuTarget]: ReturnType<typeof vi.fn> } {
  return { showView: vi.fn(), openImport: vi.fn(), openRun: vi.fn(), trackImport: vi.fn(), warn: vi.fn() } as never;
}

describe('menu commands from the desktop shell', () => {
  it('open the import dialog, the Export and Settings views, a run, or the datasets with an import', () => {
    const t = target();
    expect(handleMenuCommand({ command: 'import' }, t)).toBe(true);
    expect(t.openImport).toHaveBeenCalledOnce();
    handleMenuCommand({ command: 'export' }, t);
    handleMenuCommand({ command: 'settings' }, t);
    expect(t.showView.mock.calls).toEqual([['export'], ['settings']]);
    handleMenuCommand({ command: 'openRun', id: '20250101-ring8-ab12' }, t);
    expect(t.openRun).toHaveBeenCalledWith('20250101-ring8-ab12');
    handleMenuCommand({ command: 'showDatasets', importId: 'imp-1' }, t);
    expect(t.showView).toHaveBeenLastCalledWith('datasets');
    expect(t.trackImport).toHaveBeenCalledWith('imp-1');
  });

  it('ignores (and reports) unknown or malformed commands', () => {
    const t = target();
    expect(handleMenuCommand({ command: 'formatDisk' }, t)).toBe(false);
    expect(handleMenuCommand({ command: 'openRun', id: '../../etc' }, t)).toBe(false);
    expect(handleMenuCommand('import', t)).toBe(false);
    expect(t.openRun).not.toHaveBeenCalled();
    expect(t.openImport).not.toHaveBeenCalled();
    expect(t.warn).toHaveBeenCalledTimes(3);
  });

  it('is a no-op without the desktop bridge (web mode)', async () => {
    expect(typeof onMenu(target())).toBe('function');
    expect(await nativeDialog({ kind: 'openDataset' })).toBeNull();
  });

  it('subscribes through window.sngan.onMenu and validates dialog answers', async () => {
    let listener: ((c: unknown) => void) | undefined;
    const off = vi.fn();
    const g = globalThis as unknown as { window?: unknown };
    g.window = {
      sngan: {
        onMenu: (l: (c: unknown) => void) => ((listener = l), off),
        dialog: vi.fn().mockResolvedValueOnce({ canceled: false, paths: ['/a'] }).mockResolvedValueOnce({ canceled: true, paths: [] }).mockResolvedValueOnce({ nope: 1 }),
      },
    };
    try {
      const t = target();
      const unsubscribe = onMenu(t);
      listener!({ command: 'export' });
      expect(t.showView).toHaveBeenCalledWith('export');
      unsubscribe();
      expect(off).toHaveBeenCalled();
      expect(await nativeDialog({ kind: 'openDataset' })).toEqual(['/a']);
      expect(await nativeDialog({ kind: 'openDataset' })).toBeNull();
      await expect(nativeDialog({ kind: 'openDataset' })).rejects.toThrow();
    } finally {
      delete g.window;
    }
  });
});
