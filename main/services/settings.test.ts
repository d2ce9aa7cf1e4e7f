import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calls } from '../../shared/api';
import { dispatch, type Handlers } from './dispatch';
import { defaultBackendOf, settingsHandlers, workspaceSettings, type SettingsProvider } from './settings';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'sngan-settings-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const call = (p: SettingsProvider, ws: string, name: 'settings.get' | 'settings.update', req: unknown) =>
  dispatch(settingsHandlers(p, ws) as unknown as Handlers, name, req);

describe('settings schemas', () => {
  it('accept a valid patch and reject unknown keys, bad enums and relative workspaces', () => {
    const P = calls['settings.update'].req;
    expect(P.safeParse({ theme: 'dark', defaultBackend: 'wasm' }).success).toBe(true);
    expect(P.safeParse({ workspace: '/home/me/gans' }).success).toBe(true);
    expect(P.safeParse({ workspace: 'C:\\Users\\me\\gans' }).success).toBe(true);
    expect(P.safeParse({ theme: 'purple' }).success).toBe(false);
    expect(P.safeParse({ defaultBackend: 'cuda' }).success).toBe(false);
    expect(P.safeParse({ workspace: 'relative/dir' }).success).toBe(false);
    expect(P.safeParse({ workspace: '   ' }).success).toBe(false);
    expect(P.safeParse({ window: {} }).success).toBe(false);
  });
});

describe('web-mode settings (<workspace>/settings.json)', () => {
  it('defaults, persists theme and backend, and reads them back in a new provider', async () => {
    const ws = tmp();
    const p = workspaceSettings(ws);
    expect(await call(p, ws, 'settings.get', {})).toEqual({ ok: true, value: { workspace: ws, defaultBackend: 'auto', theme: 'system', workspaceEditable: false } });
    const r = await call(p, ws, 'settings.update', { theme: 'dark', defaultBackend: 'wasm' });
    expect(r).toMatchObject({ ok: true, value: { theme: 'dark', defaultBackend: 'wasm' } });
    expect(JSON.parse(readFileSync(join(ws, 'settings.json'), 'utf8'))).toEqual({ defaultBackend: 'wasm', theme: 'dark' });
    const again = workspaceSettings(ws);
    expect(again.get()).toMatchObject({ theme: 'dark', defaultBackend: 'wasm' });
    expect(defaultBackendOf(again)).toBe('wasm');
  });

  it('refuses a workspace change (fixed by --workspace) and invalid values, changing nothing', async () => {
    const ws = tmp();
    const p = workspaceSettings(ws);
    expect(await call(p, ws, 'settings.update', { workspace: '/elsewhere' })).toMatchObject({ ok: false, error: { code: 'read_only' } });
    expect(await call(p, ws, 'settings.update', { theme: 'neon' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(p.get().theme).toBe('system');
  });

  it('a damaged settings file reads as defaults', () => {
    const ws = tmp();
    writeFileSync(join(ws, 'settings.json'), '{"theme": 42');
    expect(workspaceSettings(ws).get()).toEqual({ defaultBackend: 'auto', theme: 'system' });
    writeFileSync(join(ws, 'settings.json'), '{"theme": "neon"}');
    expect(workspaceSettings(ws).get().theme).toBe('system');
    expect(defaultBackendOf(workspaceSettings(ws))).toBeUndefined();
  });

  it('reports a stored workspace that differs from the one in use as pending', async () => {
    const stored = { workspace: '/next', defaultBackend: 'auto' as const, theme: 'light' as const };
    const p: SettingsProvider = { workspaceEditable: true, get: () => stored, update: () => stored };
    expect(await call(p, '/now', 'settings.get', {})).toMatchObject({ ok: true, value: { workspace: '/now', pendingWorkspace: '/next', workspaceEditable: true } });
  });
});
