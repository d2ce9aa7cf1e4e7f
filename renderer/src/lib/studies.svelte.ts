/**
 * Studies in the renderer: the list (kept current by `study.progress` events), the selected study's detail,
 * and the start / cancel actions. Errors become notices through `studio.attempt`.
 */
import { api } from './api';
import { studio } from './studio.svelte';
import type { CallRequest } from '../../../shared/api';
import type { StudyDetail, StudySummary } from '../../../shared/studies';

class Studies {
  list = $state<StudySummary[]>([]);
  selectedId = $state<string | null>(null);
  detail = $state<StudyDetail | null>(null);
  private listening = false;

  /** Subscribe once (the first time the Compare view opens) and load the list. */
  start(): void {
    if (this.listening) return;
    this.listening = true;
    api.on('study.progress', (p) => {
      // Few events (one per variant start/end): reread rather than patch.
      void this.refresh();
      if (p.studyId === this.selectedId) void this.load(p.studyId);
      if (p.phase === 'end') void studio.refreshRuns();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const l = await studio.attempt('list studies', () => api.call('studies.list', {}));
    if (l) this.list = l;
  }

  async load(id: string): Promise<void> {
    const d = await studio.attempt('open the study', () => api.call('studies.get', { id }));
    if (d && this.selectedId === id) this.detail = d;
  }

  select(id: string | null): void {
    this.selectedId = id;
    if (this.detail?.id !== id) this.detail = null;
    if (id) void this.load(id);
  }

  async startStudy(req: CallRequest<'studies.start'>): Promise<boolean> {
    const s = await studio.attempt('start the study', () => api.call('studies.start', req));
    if (!s) return false;
    if (!this.list.some((x) => x.id === s.id)) this.list = [s, ...this.list];
    this.select(s.id);
    return true;
  }

  async cancel(id: string): Promise<void> {
    const s = await studio.attempt('cancel the study', () => api.call('studies.cancel', { id }));
    if (s) studio.notify('info', 'Cancelling the study', 'The current run stops at its next step and keeps its checkpoint; the rest are skipped.');
  }
}

export const studies = new Studies();
