import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, migrate, SETTINGS_VERSION, SettingsStore } from './settings';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sngan-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings store', () => {
  it('starts from defaults when there is no file', () => {
    const s = new SettingsStore(dir);
    expect(s.load()).toEqual({ settings: defaultSettings() });
    expect(s.get()).toMatchObject({ version: SETTINGS_VERSION, defaultBackend: 'auto', theme: 'system', recentRuns: [] });
  });

  it('persists updates atomically and reads them back', () => {
    const s = new SettingsStore(dir);
    s.load();
    s.update({ workspace: '/data/gan', theme: 'dark', defaultBackend: 'wasm' });
    expect(readdirSync(dir)).toEqual(['settings.json']); // no temp files left behind
    const again = new SettingsStore(dir);
    expect(again.load().settings).toMatchObject({ workspace: '/data/gan', theme: 'dark', defaultBackend: 'wasm' });
  });

  it('rejects invalid updates and keeps the old settings', () => {
    const s = new SettingsStore(dir);
    s.load();
    expect(() => s.update({ theme: 'neon' as never })).toThrow();
    expect(s.get().theme).toBe('system');
  });

  it('keeps recent runs most-recent-first without duplicates', () => {
    const s = new SettingsStore(dir);
    s.load();
    for (const p of ['/r/a', '/r/b', '/r/a', '/r/c']) s.addRecentRun(p, 3);
    expect(s.get().recentRuns).toEqual(['/r/c', '/r/a', '/r/b']);
  });

  it('moves a corrupt file aside and uses defaults', () => {
    writeFileSync(join(dir, 'settings.json'), '{"version": 2, "theme": ');
    const s = new SettingsStore(dir, () => new Date('2026-01-02T03:04:05.000Z'));
    const r = s.load();
    expect(r.settings).toEqual(defaultSettings());
    expect(r.backup).toBe(join(dir, 'settings.json.bad-2026-01-02T03-04-05-000Z'));
    expect(readFileSync(r.backup!, 'utf8')).toBe('{"version": 2, "theme": ');
    expect(r.problem).toBeTruthy();
  });

  it('moves aside a file that parses but fails the schema, or comes from a newer app', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, theme: 'neon' }));
    expect(new SettingsStore(dir).load().backup).toBeTruthy();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 99 }));
    expect(new SettingsStore(dir).load().problem).toMatch(/newer/);
  });

  it('migrates v1 to v2 and writes the new version back', () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, workspaceDir: '/ws', backend: 'tensorflow', darkMode: true, bounds: { x: 10, y: 20, width: 1000.4, height: 700 } }));
    const r = new SettingsStore(dir).load();
    expect(r.migratedFrom).toBe(1);
    expect(r.settings).toEqual({
      version: 2,
      workspace: '/ws',
      defaultBackend: 'tensorflow',
      theme: 'dark',
      window: { x: 10, y: 20, width: 1000, height: 700, maximized: false },
      recentRuns: [],
    });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).version).toBe(2);
  });

  it('migration maps unknown v1 values to defaults', () => {
    expect(migrate({ version: 1, backend: 'cuda-magic' })).toMatchObject({ defaultBackend: 'auto', theme: 'system' });
    expect(migrate({})).toMatchObject({ version: 2 }); // unversioned files are v1
    expect(() => migrate(null)).toThrow();
  });
});
