/**
 * App state shared by the views: app info, datasets, runs, live progress, sample steps, imports, notices.
 * Metrics rows are kept outside Svelte's reactivity (they can be tens of thousands) and a throttled
 * `metricsTick` tells charts to redraw. Everything goes through `api`; errors become notices.
 */
import { api } from './api';
import { isNotOlder } from './run-summary';
import type { AppInfo, AppSettings, DatasetSummary, EventPayload, PointsSample, RunSummary, SettingsPatch } from '../../../shared/api';
import { nativeDialog, onMenu } from './desktop';
import { theme } from './theme.svelte';
import { describeError } from './errors';
import { mergeRows, type MetricsRow } from './metrics';
import type { Flat } from './config-diff';

export type View = 'datasets' | 'train' | 'samples' | 'diagnostics' | 'compare' | 'export' | 'settings';
export type Progress = EventPayload<'run.progress'>;
export type ImportProgress = EventPayload<'import.progress'>;

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  title: string;
  detail?: string;
  hint?: string;
}

class Studio {
  info = $state<AppInfo | null>(null);
  infoError = $state<string | null>(null);
  view = $state<View>('datasets');
  datasets = $state<DatasetSummary[]>([]);
  runs = $state<RunSummary[]>([]);
  selectedRunId = $state<string | null>(null);
  selectedDatasetId = $state<string | null>(null);
  progress = $state<Record<string, Progress>>({});
  sampleSteps = $state<Record<string, number[]>>({});
  imports = $state<Record<string, ImportProgress>>({});
  notices = $state<Notice[]>([]);
  metricsTick = $state(0);
  /** Dataset the Train form uses ("Train on this" sets it). */
  trainDataset = $state<string>('');
  /** Set by "duplicate with changes": the Train form picks it up. */
  draft = $state<{ values: Flat; dataset?: string } | null>(null);
  settings = $state<AppSettings | null>(null);
  /** Bumped when the import path field should take focus (menu Import… without a native dialog). */
  focusImport = $state(0);

  private metrics = new Map<string, MetricsRow[]>();
  private loadingMetrics = new Map<string, Promise<void>>();
  private pendingRows = new Map<string, MetricsRow[]>();
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeId = 0;

  selectedRun = $derived(this.runs.find((r) => r.id === this.selectedRunId) ?? null);

  start(): void {
    api.on('run.status', (r) => this.upsertRun(r));
    api.on('run.progress', (p) => (this.progress[p.runId] = p));
    api.on('run.metrics', ({ runId, metrics }) => this.onMetrics(runId, metrics));
    api.on('run.sample', ({ runId, step }) => {
      const list = this.sampleSteps[runId];
      if (list && !list.includes(step)) this.sampleSteps[runId] = [...list, step].sort((a, b) => a - b);
      else if (!list) this.sampleSteps[runId] = [step];
    });
    api.on('run.error', (e) =>
      this.notify('error', `Run ${e.runId} reported an error`, `${e.message}${e.layer ? ` (layer ${e.layer})` : ''}${e.step != null ? ` at step ${e.step}` : ''}`, e.code),
    );
    api.on('run.alert', ({ runId, ...a }) => {
      this.onMetrics(runId, { type: 'alert', ...a });
      this.notify(a.severity === 'error' ? 'error' : 'info', `Run ${runId}: ${a.kind.replace(/_/g, ' ')} at step ${a.step}`, a.message);
    });
    api.on('import.progress', (p) => this.onImport(p));
    api
      .call('app.info', {})
      .then((i) => (this.info = i))
      .catch((e: unknown) => (this.infoError = describeError(e, 'connect to the backend').detail));
    void this.refreshDatasets();
    void this.refreshRuns();
    void this.loadSettings();
    onMenu({
      showView: (v) => (this.view = v),
      openImport: () => void this.openImport(),
      openRun: (id) => {
        this.selectRun(id);
        this.view = 'samples';
      },
      trackImport: (importId) => {
        if (!this.imports[importId]) this.imports[importId] = { importId, phase: 'scanning', seen: 0, decoded: 0, skipped: 0 };
      },
      warn: (m) => console.warn(m),
    });
  }

  /** Menu Import… (or its shortcut): the native picker where there is one, else the path field. */
  async openImport(): Promise<void> {
    this.view = 'datasets';
    const paths = await this.attempt('open the file dialog', () => nativeDialog({ kind: 'openDataset' }));
    if (paths?.length) await this.startImport(paths);
    else this.focusImport++;
  }

  async loadSettings(): Promise<void> {
    const s = await this.attempt('read the settings', () => api.call('settings.get', {}));
    if (!s) return;
    this.settings = s;
    if (theme.mode !== s.theme) theme.set(s.theme);
  }

  /** Validated on both sides; theme applies at once, even before the server answers. */
  async updateSettings(patch: SettingsPatch): Promise<boolean> {
    if (patch.theme) theme.set(patch.theme);
    const s = await this.attempt('save the settings', () => api.call('settings.update', patch));
    if (!s) {
      if (this.settings) theme.set(this.settings.theme);
      return false;
    }
    this.settings = s;
    return true;
  }

  notify(kind: Notice['kind'], title: string, detail?: string, code?: string, hint?: string): void {
    const n: Notice = { id: ++this.noticeId, kind, title, detail, hint };
    if (!hint && code) n.hint = describeError({ code, message: '' }, '').hint;
    this.notices = [...this.notices.slice(-4), n];
    if (kind === 'info') setTimeout(() => this.dismiss(n.id), 5000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Run an API action; on failure show a readable notice and return undefined. */
  async attempt<T>(action: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      const r = describeError(e, action);
      this.notify('error', r.title, r.detail, undefined, r.hint);
      return undefined;
    }
  }

  async refreshDatasets(): Promise<void> {
    const list = await this.attempt('list datasets', () => api.call('datasets.list', {}));
    if (list) this.datasets = list;
  }

  async refreshRuns(): Promise<void> {
    const list = await this.attempt('list runs', () => api.call('runs.list', {}));
    if (list) this.runs = list.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  upsertRun(r: RunSummary): void {
    const i = this.runs.findIndex((x) => x.id === r.id);
    if (!isNotOlder(r, this.runs[i])) return;
    if (i >= 0) this.runs[i] = r;
    else this.runs = [r, ...this.runs];
  }

  selectRun(id: string | null): void {
    this.selectedRunId = id;
    if (id) {
      void this.loadSamples(id);
      void this.loadMetrics(id);
    }
  }

  async loadSamples(id: string): Promise<void> {
    const run = await this.attempt('open the run', () => api.call('runs.get', { id }));
    if (!run) return;
    this.upsertRun({ ...run });
    const known = this.sampleSteps[id] ?? [];
    this.sampleSteps[id] = [...new Set([...run.samples, ...known])].sort((a, b) => a - b);
  }

  /** Metrics rows for a run (not reactive: read `metricsTick` to subscribe). */
  rows(id: string | null): MetricsRow[] {
    return (id && this.metrics.get(id)) || [];
  }

  loadMetrics(id: string): Promise<void> {
    if (this.metrics.has(id)) return Promise.resolve();
    let p = this.loadingMetrics.get(id);
    if (p) return p;
    p = (async () => {
      const rows = await this.attempt('load metrics', () => api.call('runs.metrics', { id }));
      const merged = mergeRows([...(rows ?? [])], this.pendingRows.get(id) ?? []);
      this.pendingRows.delete(id);
      this.metrics.set(id, merged);
      this.loadingMetrics.delete(id);
      this.bumpMetrics();
    })();
    this.loadingMetrics.set(id, p);
    return p;
  }

  private onMetrics(runId: string, row: MetricsRow): void {
    const rows = this.metrics.get(runId);
    if (rows) {
      mergeRows(rows, [row]);
      this.bumpMetrics();
    } else if (this.loadingMetrics.has(runId)) {
      const pend = this.pendingRows.get(runId) ?? [];
      pend.push(row);
      this.pendingRows.set(runId, pend);
    }
  }

  /** At most ~4 chart redraws a second, however fast metrics stream. */
  private bumpMetrics(): void {
    if (this.tickTimer) return;
    this.tickTimer = setTimeout(() => {
      this.tickTimer = null;
      this.metricsTick++;
    }, 250);
  }

  private onImport(p: ImportProgress): void {
    this.imports[p.importId] = p;
    if (p.phase === 'done') {
      void this.refreshDatasets();
      if (p.dataset) this.selectedDatasetId = p.dataset.id;
      this.notify('info', `Imported ${p.dataset?.name ?? 'dataset'}`, `${p.decoded} images${p.skipped ? `, ${p.skipped} skipped` : ''}`);
    } else if (p.phase === 'failed') {
      this.notify('error', 'Import failed', p.error ?? 'The importer stopped without a reason.', undefined, 'Check the path and the file formats (folders of images, zip, IDX, CIFAR binary, npy/npz).');
    }
  }

  /** Options the Datasets view edits; used by every import (drop, Open…, path field). */
  importOptions = $state<{ size?: 28 | 32 | 64 | 128; channels?: 1 | 3; fit: 'crop' | 'letterbox'; name: string }>({ fit: 'crop', name: '' });

  async startImport(paths: string[]): Promise<void> {
    if (!paths.length) return;
    const o = this.importOptions;
    const req = { paths, fit: o.fit, ...(o.size ? { size: o.size } : {}), ...(o.channels ? { channels: o.channels } : {}), ...(o.name.trim() ? { name: o.name.trim() } : {}) };
    const r = await this.attempt('start the import', () => api.call('datasets.import', req));
    if (!r) return;
    this.view = 'datasets';
    if (!this.imports[r.importId]) this.imports[r.importId] = { importId: r.importId, phase: 'scanning', seen: 0, decoded: 0, skipped: 0 };
  }

  async cancelImport(importId: string): Promise<void> {
    await this.attempt('cancel the import', () => api.call('datasets.cancelImport', { importId }));
  }

  dismissImport(importId: string): void {
    delete this.imports[importId];
  }

  async deleteRun(id: string): Promise<void> {
    const r = await this.attempt('delete the run', () => api.call('runs.delete', { id }));
    if (!r) return;
    this.runs = this.runs.filter((x) => x.id !== id);
    this.metrics.delete(id);
    delete this.sampleSteps[id];
    if (this.selectedRunId === id) this.selectedRunId = null;
  }
}

export const studio = new Studio();

export interface SampleData {
  dataUrl: string;
  /** 2D runs: points, real points and D's field. */
  points?: PointsSample;
}

/** Sample snapshots by run and step, small LRU so scrubbing the slider back and forth is instant. */
const sampleCache = new Map<string, SampleData>();
/** `augmented`: the grid of augmented training images written at that step (what D sees), not G's samples. */
export async function sampleData(runId: string, step: number, augmented = false): Promise<SampleData> {
  const key = `${runId}@${step}${augmented ? ':aug' : ''}`;
  const hit = sampleCache.get(key);
  if (hit) {
    sampleCache.delete(key);
    sampleCache.set(key, hit);
    return hit;
  }
  const { dataUrl, points } = await api.call('runs.sample', { id: runId, step, ...(augmented ? { augmented } : {}) });
  const v: SampleData = { dataUrl, points };
  sampleCache.set(key, v);
  if (sampleCache.size > 150) sampleCache.delete(sampleCache.keys().next().value as string);
  return v;
}

export async function sampleUrl(runId: string, step: number): Promise<string> {
  return (await sampleData(runId, step)).dataUrl;
}
