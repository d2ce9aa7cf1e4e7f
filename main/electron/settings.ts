/**
 * User settings (workspace folder, default backend, theme, window bounds, recent runs) in
 * `<userData>/settings.json`: validated with a zod schema, versioned with migrations, written atomically
 * (temp file + rename). A corrupt or unreadable file is moved aside as a backup and defaults are used.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { BACKENDS } from '../../shared/config';
import type { SettingsProvider } from '../services/settings';

export const SETTINGS_VERSION = 2;

export const WindowBounds = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(150).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowBounds = z.infer<typeof WindowBounds>;

export const Settings = z.object({
  version: z.literal(SETTINGS_VERSION),
  /** Absent: the default workspace (~/Documents/SNGAN Studio). */
  workspace: z.string().min(1).max(4096).optional(),
  defaultBackend: z.enum(BACKENDS).default('auto'),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  window: WindowBounds.default({ width: 1280, height: 820, maximized: false }),
  recentRuns: z.array(z.string().min(1).max(4096)).max(20).default([]),
});
export type Settings = z.infer<typeof Settings>;

export function defaultSettings(): Settings {
  return Settings.parse({ version: SETTINGS_VERSION });
}

/** v1 (0.0.x builds): { version: 1, workspaceDir, backend, darkMode, bounds }. */
const SettingsV1 = z.object({
  version: z.literal(1),
  workspaceDir: z.string().optional(),
  backend: z.string().optional(),
  darkMode: z.boolean().optional(),
  bounds: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).partial().optional(),
});

/** One step per version: migrations[n] turns a v(n) object into v(n+1). */
export const migrations: Record<number, (old: unknown) => unknown> = {
  1: (old) => {
    const v1 = SettingsV1.parse(old);
    const backend = (BACKENDS as readonly string[]).includes(v1.backend ?? '') ? v1.backend : 'auto';
    const b = v1.bounds;
    return {
      version: 2,
      workspace: v1.workspaceDir || undefined,
      defaultBackend: backend,
      theme: v1.darkMode === undefined ? 'system' : v1.darkMode ? 'dark' : 'light',
      window: b?.width && b.height ? { x: b.x, y: b.y, width: Math.round(b.width), height: Math.round(b.height), maximized: false } : undefined,
    };
  },
};

/** Brings any known older version up to the current one; throws on unknown or newer versions. */
export function migrate(raw: unknown): Settings {
  let data = raw as { version?: unknown };
  if (typeof data !== 'object' || data === null) throw new Error('settings are not an object');
  let version = typeof data.version === 'number' ? data.version : 1;
  if (version > SETTINGS_VERSION) throw new Error(`settings version ${version} is newer than this app understands (${SETTINGS_VERSION})`);
  while (version < SETTINGS_VERSION) {
    const step = migrations[version];
    if (!step) throw new Error(`no migration from settings version ${version}`);
    data = step({ version, ...data }) as { version?: unknown };
    version++;
  }
  return Settings.parse(data);
}

/** Writes `text` to `file` via a temp file in the same folder and a rename, so a crash never leaves half a file. */
export function writeFileAtomicSync(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface LoadResult {
  settings: Settings;
  /** Set when the file could not be used and was moved aside. */
  backup?: string;
  problem?: string;
  migratedFrom?: number;
}

export class SettingsStore {
  private current: Settings = defaultSettings();
  readonly file: string;

  constructor(userDataDir: string, private now: () => Date = () => new Date()) {
    this.file = join(userDataDir, 'settings.json');
  }

  load(): LoadResult {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      this.current = defaultSettings();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: this.current };
      return { settings: this.current, problem: (err as Error).message };
    }
    try {
      const raw = JSON.parse(text) as { version?: unknown };
      this.current = migrate(raw);
      const from = typeof raw.version === 'number' ? raw.version : 1;
      if (from !== SETTINGS_VERSION) {
        this.save();
        return { settings: this.current, migratedFrom: from };
      }
      return { settings: this.current };
    } catch (err) {
      const backup = `${this.file}.bad-${this.now().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(this.file, backup);
      } catch {
        /* leave it; defaults still apply */
      }
      this.current = defaultSettings();
      return { settings: this.current, backup, problem: err instanceof Error ? err.message : String(err) };
    }
  }

  get(): Settings {
    return this.current;
  }

  /** Validates the merged settings, keeps them and writes them out; invalid patches throw and change nothing. */
  update(patch: Partial<Omit<Settings, 'version'>>): Settings {
    this.current = Settings.parse({ ...this.current, ...patch, version: SETTINGS_VERSION });
    this.save();
    return this.current;
  }

  /** Most recent first, no duplicates, at most `max`. */
  addRecentRun(path: string, max = 10): Settings {
    return this.update({ recentRuns: [path, ...this.current.recentRuns.filter((p) => p !== path)].slice(0, max) });
  }

  save(): void {
    writeFileAtomicSync(this.file, `${JSON.stringify(this.current, null, 2)}\n`);
  }
}

/**
 * The services' view of this store (settings.get / settings.update): theme and default backend apply at once
 * (`onChange`), a new workspace at the next start. `workspaceLocked` when $SNGAN_WORKSPACE decides it.
 */
export function apiSettingsProvider(store: Pick<SettingsStore, 'get' | 'update'>, o: { workspaceLocked?: boolean; onChange?: (s: Settings) => void } = {}): SettingsProvider {
  return {
    workspaceEditable: !o.workspaceLocked,
    get: () => store.get(),
    update(patch) {
      const next = store.update(o.workspaceLocked ? { ...patch, workspace: store.get().workspace } : patch);
      o.onChange?.(next);
      return next;
    },
  };
}
