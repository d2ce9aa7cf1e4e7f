/** Light/dark follows the system; charts read their ink colours from here. */
const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

class Theme {
  dark = $state(query?.matches ?? false);
  constructor() {
    query?.addEventListener('change', (e) => (this.dark = e.matches));
  }
  get ink(): string {
    return this.dark ? '#c9ced6' : '#3b4048';
  }
  get grid(): string {
    return this.dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.07)';
  }
}

export const theme = new Theme();
