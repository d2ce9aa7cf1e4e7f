import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { dispatch, type Handlers } from '../services/dispatch';
import { settingsHandlers } from '../services/settings';
import { apiSettingsProvider, SettingsStore } from './settings';

const dir = mkdtempSync(join(tmpdir(), 'sngan-settings-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('settings.* over the desktop settings store', () => {
  it('applies theme at once, keeps a new workspace for the next start, and validates', async () => {
    const store = new SettingsStore(dir);
    store.load();
    const onChange = vi.fn();
    const h = settingsHandlers(apiSettingsProvider(store, { onChange }), '/ws/now') as unknown as Handlers;
    const r = await dispatch(h, 'settings.update', { theme: 'dark', workspace: '/ws/next' });
    expect(r).toMatchObject({ ok: true, value: { theme: 'dark', workspace: '/ws/now', pendingWorkspace: '/ws/next', workspaceEditable: true } });
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ theme: 'dark' }));
    // persisted in the user-data store with the rest of the shell's settings
    const again = new SettingsStore(dir);
    expect(again.load().settings).toMatchObject({ theme: 'dark', workspace: '/ws/next' });
    expect(await dispatch(h, 'settings.update', { theme: 'sepia' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(store.get().theme).toBe('dark');
  });

  it('a workspace fixed by $SNGAN_WORKSPACE is read-only', async () => {
    const store = new SettingsStore(join(dir, 'b'));
    store.load();
    const h = settingsHandlers(apiSettingsProvider(store, { workspaceLocked: true }), '/env/ws') as unknown as Handlers;
    expect(await dispatch(h, 'settings.get', {})).toMatchObject({ ok: true, value: { workspaceEditable: false } });
    expect(await dispatch(h, 'settings.update', { workspace: '/x' })).toMatchObject({ ok: false, error: { code: 'read_only' } });
  });
});
