/**
 * settings.* calls. The desktop shell passes a provider backed by its settings store in the user-data folder;
 * web mode (and the CLI's `serve`) keeps the same settings in `<workspace>/settings.json`, where the
 * workspace itself is fixed by `--workspace` and so read-only here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError, AppSettings, SettingsPatch, THEMES } from '../../shared/api';
import { BACKENDS } from '../../shared/config';
import { atomicWrite } from '../runs/store';
import type { Handlers } from './dispatch';

/** What a settings provider stores (the workspace only where it can be changed). */
export const StoredSettings = z.object({
  workspace: z.string().min(1).max(4096).optional(),
  defaultBackend: z.enum(BACKENDS).default('auto'),
  theme: z.enum(THEMES).default('system'),
});
export type StoredSettings = z.infer<typeof StoredSettings>;

export interface SettingsProvider {
  get(): StoredSettings;
  /** Validated by the caller; returns the stored settings after the change. */
  update(patch: SettingsPatch): StoredSettings | Promise<StoredSettings>;
  /** Whether `workspace` may be changed (a change applies at the next start). */
  workspaceEditable: boolean;
}

/** Web mode: `<workspace>/settings.json`, validated on read (a bad file reads as defaults), written atomically. */
export function workspaceSettings(workspace: string): SettingsProvider {
  const file = join(workspace, 'settings.json');
  let current: StoredSettings;
  try {
    const parsed = StoredSettings.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    current = parsed.success ? parsed.data : StoredSettings.parse({});
  } catch {
    current = StoredSettings.parse({});
  }
  return {
    workspaceEditable: false,
    get: () => current,
    async update(patch) {
      const { workspace: _ignored, ...rest } = patch;
      void _ignored;
      const next = StoredSettings.parse({ ...current, ...rest });
      await atomicWrite(file, JSON.stringify({ defaultBackend: next.defaultBackend, theme: next.theme }, null, 2) + '\n');
      current = next;
      return current;
    },
  };
}

/** The backend new runs use by default ('auto' → undefined: the best available). */
export function defaultBackendOf(p: SettingsProvider): string | undefined {
  const b = p.get().defaultBackend;
  return b === 'auto' ? undefined : b;
}

export function settingsHandlers(provider: SettingsProvider, workspaceInUse: string): Pick<Handlers, 'settings.get' | 'settings.update'> {
  const view = (s: StoredSettings): AppSettings => ({
    workspace: workspaceInUse,
    defaultBackend: s.defaultBackend,
    theme: s.theme,
    workspaceEditable: provider.workspaceEditable,
    ...(s.workspace && s.workspace !== workspaceInUse ? { pendingWorkspace: s.workspace } : {}),
  });
  return {
    'settings.get': async () => view(provider.get()),
    'settings.update': async (patch) => {
      if (patch.workspace !== undefined && !provider.workspaceEditable) {
        throw new ApiError('read_only', 'The workspace folder is fixed by the server (sngan-studio serve --workspace DIR); restart the server with another folder to change it.');
      }
      return view(await provider.update(patch));
    },
  };
}
