import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { HELP_LINKS, menuTemplate, type MenuActions, type MenuState } from './menu';

type Spied = { [K in keyof MenuActions]: ReturnType<typeof vi.fn> & MenuActions[K] };
function actions(): Spied {
  return { openDataset: vi.fn(), importDataset: vi.fn(), exportGenerator: vi.fn(), openSettings: vi.fn(), openRun: vi.fn(), openWorkspace: vi.fn(), openExternal: vi.fn(), clearRecent: vi.fn() } as never;
}
const base: MenuState = { platform: 'linux', isDev: false, appName: 'SNGAN Studio', recentRuns: [] };

const sub = (item: MenuItemConstructorOptions | undefined) => (item?.submenu ?? []) as MenuItemConstructorOptions[];
const top = (t: MenuItemConstructorOptions[], label: string) => t.find((m) => m.label?.replace('&', '') === label);
const roles = (items: MenuItemConstructorOptions[]) => items.map((i) => i.role).filter(Boolean);
const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as () => void)();

describe('application menu', () => {
  it('has File, Edit, View, Window, Help (and the app menu on macOS only)', () => {
    expect(menuTemplate(base, actions()).map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Window', '&Help']);
    expect(menuTemplate({ ...base, platform: 'darwin' }, actions())[0]!.label).toBe('SNGAN Studio');
  });

  it('File items call their actions', () => {
    const a = actions();
    const file = sub(top(menuTemplate(base, a), 'File'));
    click(file.find((i) => i.label === 'Open Dataset…'));
    click(file.find((i) => i.label === 'Import…'));
    click(file.find((i) => i.label === 'Export Generator…'));
    click(file.find((i) => i.label === 'Settings…'));
    expect(a.openSettings).toHaveBeenCalledOnce();
    expect(file.find((i) => i.label === 'Settings…')!.accelerator).toBe('CmdOrCtrl+,');
    expect(a.openDataset).toHaveBeenCalledOnce();
    expect(a.importDataset).toHaveBeenCalledOnce();
    expect(a.exportGenerator).toHaveBeenCalledOnce();
    expect(file.find((i) => i.label === 'Open Dataset…')!.accelerator).toBe('CmdOrCtrl+O');
  });

  it('lists recent runs (at most 10) and opens them', () => {
    const a = actions();
    const recentRuns = Array.from({ length: 12 }, (_, i) => ({ label: `run-${i}`, path: `/ws/runs/run-${i}` }));
    const recent = sub(sub(top(menuTemplate({ ...base, recentRuns }, a), 'File')).find((i) => i.label === 'Recent Runs'));
    expect(recent.filter((i) => i.label?.startsWith('run-'))).toHaveLength(10);
    click(recent[2]);
    expect(a.openRun).toHaveBeenCalledWith('/ws/runs/run-2');
    click(recent.find((i) => i.label === 'Clear Recent'));
    expect(a.clearRecent).toHaveBeenCalledOnce();
    const none = sub(sub(top(menuTemplate(base, a), 'File')).find((i) => i.label === 'Recent Runs'));
    expect(none).toEqual([{ label: 'No recent runs', enabled: false }]);
  });

  it('offers reload and devtools only in development; zoom and fullscreen always', () => {
    const prod = roles(sub(top(menuTemplate(base, actions()), 'View')));
    expect(prod).not.toContain('reload');
    expect(prod).not.toContain('toggleDevTools');
    expect(prod).toEqual(expect.arrayContaining(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']));
    const dev = roles(sub(top(menuTemplate({ ...base, isDev: true }, actions()), 'View')));
    expect(dev).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('Help opens https links only, through the given callback', () => {
    const a = actions();
    const help = sub(top(menuTemplate(base, a), 'Help'));
    help.forEach(click);
    expect(a.openExternal.mock.calls.map((c) => c[0])).toEqual(HELP_LINKS.map((l) => l.url));
    for (const l of HELP_LINKS) expect(new URL(l.url).protocol).toBe('https:');
  });

  it('quits from File on Windows/Linux, from the app menu on macOS', () => {
    expect(roles(sub(top(menuTemplate(base, actions()), 'File')))).toContain('quit');
    const mac = menuTemplate({ ...base, platform: 'darwin' }, actions());
    expect(roles(sub(top(mac, 'File')))).not.toContain('quit');
    expect(roles(sub(mac[0]))).toContain('quit');
    expect(roles(sub(top(mac, 'Window')))).toContain('front');
  });
});
