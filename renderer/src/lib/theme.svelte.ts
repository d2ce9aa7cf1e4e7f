/**
 * Light/dark: the Settings choice (system, light, dark), applied as `data-theme` on <html>; "system" follows the
 * OS live. The last choice is remembered locally so the first paint is already right. Charts read their ink here.
 */
export type ThemeMode = 'system' | 'light' | 'dark';

const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
const KEY = 'sngan.theme';

export function resolveTheme(mode: ThemeMode, systemDark: boolean): 'light' | 'dark' {
  return mode === 'system' ? (systemDark ? 'dark' : 'light') : mode;
}

function storedMode(): ThemeMode {
  try {
    const v = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null;
    return v === 'light' || v === 'dark' || v === 'system' ? v : 'system';
  } catch {
    return 'system';
  }
}

class Theme {
  mode = $state<ThemeMode>(storedMode());
  private systemDark = $state(query?.matches ?? false);
  dark = $derived(resolveTheme(this.mode, this.systemDark) === 'dark');

  constructor() {
    query?.addEventListener('change', (e) => {
      this.systemDark = e.matches;
      this.apply();
    });
    this.apply();
  }

  set(mode: ThemeMode): void {
    this.mode = mode;
    try {
      localStorage.setItem(KEY, mode);
    } catch {
      /* private mode: the setting still applies for this session */
    }
    this.apply();
  }

  private apply(): void {
    if (typeof document === 'undefined') return;
    const t = resolveTheme(this.mode, this.systemDark);
    document.documentElement.dataset.theme = t;
    document.documentElement.style.colorScheme = t;
  }

  get ink(): string {
    return this.dark ? '#c9ced6' : '#3b4048';
  }
  get grid(): string {
    return this.dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.07)';
  }
}

export const theme = new Theme();
