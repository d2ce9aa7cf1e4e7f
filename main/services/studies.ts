/**
 * studies.* calls: train the same data / seed / architecture / step budget once per variant (stabilisers,
 * SN power iterations, presets A–F), queued one after another, each a normal run launched through the runs
 * service (live events, Runs list); then each run's metrics.jsonl is summarised. No tfjs here: image metrics
 * come from the trainer's own last-step eval (`evalEvery` defaults to the step budget). Each study is kept as
 * `<workspace>/studies/<id>.json`, rewritten atomically after every change.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../../shared/api';
import type { TrainConfig } from '../../shared/config';
import type { TrainerEvent } from '../../shared/events';
import { StudyDetail, studyAxes, type StudyRow, type StudySummary, type VariantSummary } from '../../shared/studies';
import type { StreamEvent } from '../engine/alerts';
import { summarizeRun } from '../engine/metrics/summary';
import { atomicWrite, readMetrics, readStatus, updateStatus } from '../runs/store';
import { buildVariants, lastImageEval, lastSpectra, variantConfigs } from './compare-variants';
import type { Handlers } from './dispatch';
import { runKind, type StartedRun } from './runs';
import type { ServiceContext } from './context';

type StudyHandlerNames = 'studies.start' | 'studies.list' | 'studies.get' | 'studies.cancel';

/** The study record on disk: the API's detail plus the process that runs it. */
const StoredStudy = StudyDetail.extend({ pid: z.number().int().optional() });

interface LiveStudy {
  detail: StudyDetail;
  configs: TrainConfig[];
  cancelled: boolean;
  run?: StartedRun;
  saving: Promise<void>;
}

export const studiesDir = (workspace: string) => join(workspace, 'studies');

function makeStudyId(kind: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return `study-${stamp}-${kind}-${randomBytes(2).toString('hex')}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const fin = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function summaryOf(d: StudyDetail): StudySummary {
  const { spec: _spec, rows: _rows, ...s } = d;
  return s;
}

/** A finished run's numbers, as the table shows them (pure: reads the recorded stream). */
export function summariseVariant(events: StreamEvent[]): Pick<StudyRow, 'summary' | 'image' | 'spectra'> {
  const s = summarizeRun(events);
  const summary: VariantSummary = {
    lastStep: s.lastStep,
    finalDLoss: fin(s.finalDLoss),
    finalGLoss: fin(s.finalGLoss),
    modesCovered: fin(s.modesCovered),
    modesCoveredAny: fin(s.modesCoveredAny),
    modesTotal: fin(s.modesTotal),
    highQualityFraction: fin(s.highQualityFraction),
    klToUniform: fin(s.klToUniform),
    bestModesCovered: fin(s.bestModesCovered),
    stepsToQuality: fin(s.stepsToQuality),
    nonFinite: s.nonFinite,
    sigmaExplosions: s.sigmaExplosions,
    alerts: s.alerts,
    maxLipschitzBound: fin(s.maxLipschitzBound),
  };
  const out: Pick<StudyRow, 'summary' | 'image' | 'spectra'> = { summary };
  const im = lastImageEval(events);
  if (im) out.image = { step: im.step, samples: im.samples, msssim: fin(im.msssim), ...(im.fid !== undefined ? { fid: fin(im.fid) } : {}), ...(im.kid !== undefined ? { kid: fin(im.kid) } : {}) };
  const sp = lastSpectra(events);
  if (sp) out.spectra = { step: sp.step, dConditionMax: fin(sp.dConditionMax), dSmallShareMax: fin(sp.dSmallShareMax) };
  return out;
}

export function studyHandlers(
  ctx: ServiceContext,
  runs: { startRun(config: TrainConfig, onEvent?: (e: TrainerEvent) => void): Promise<StartedRun> },
): { handlers: Pick<Handlers, StudyHandlerNames>; close(): Promise<void> } {
  const dir = studiesDir(ctx.workspace);
  const live = new Map<string, LiveStudy>();
  let queue: Promise<void> = Promise.resolve();
  let closing = false;

  function persist(l: LiveStudy): Promise<void> {
    const text = JSON.stringify({ ...l.detail, pid: process.pid }, null, 2) + '\n';
    const file = join(dir, `${l.detail.id}.json`);
    l.saving = l.saving.then(() => atomicWrite(file, text)).catch((err) => console.error(`[studies] could not save ${l.detail.id}:`, err));
    return l.saving;
  }

  function progress(l: LiveStudy, phase: 'queued' | 'variant-start' | 'variant-end' | 'end', index?: number): void {
    const d = l.detail;
    const row = index === undefined ? undefined : d.rows[index];
    ctx.events.emit('study.progress', { studyId: d.id, state: d.state, total: d.total, done: d.done, phase, ...(index !== undefined ? { index } : {}), ...(row ? { label: row.label, ...(row.runId ? { runId: row.runId } : {}) } : {}) });
  }

  /** A study from disk; one left 'running' or 'queued' by a process that is gone reads as 'interrupted'. */
  async function readStudy(file: string): Promise<StudyDetail | undefined> {
    const raw = await readFile(file, 'utf8').catch(() => undefined);
    if (raw === undefined) return undefined;
    let parsed;
    try {
      parsed = StoredStudy.safeParse(JSON.parse(raw));
    } catch {
      return undefined;
    }
    if (!parsed.success) return undefined;
    const { pid, ...d } = parsed.data;
    if ((d.state === 'running' || d.state === 'queued') && (pid === undefined || pid === process.pid || !alive(pid))) {
      d.state = 'interrupted';
      delete d.current;
      for (const r of d.rows) if (r.state === 'running') r.state = 'interrupted';
    }
    return d;
  }

  async function find(id: string): Promise<StudyDetail> {
    const l = live.get(id);
    if (l) return l.detail;
    // Ids are schema-checked (no separators); a name like '..' still must not leave the folder.
    const file = join(dir, `${id}.json`);
    const d = basename(file) === `${id}.json` ? await readStudy(file) : undefined;
    if (!d || d.id !== id) throw new ApiError('not_found', `No study '${id}' in the workspace`);
    return d;
  }

  async function runVariant(l: LiveStudy, i: number): Promise<void> {
    const d = l.detail;
    const row = d.rows[i];
    row.state = 'running';
    d.current = { index: i, label: row.label };
    let nan: string | null = null;
    let handle: StartedRun | undefined;
    const t0 = performance.now();
    try {
      handle = await runs.startRun(l.configs[i], (e) => {
        // Nobody is there to resume a NaN pause: count it as a divergence, stop the run (checkpoint kept), move on.
        if (e.type === 'error' && e.code === 'non_finite' && nan === null) {
          nan = e.message;
          handle?.stop();
        }
      });
    } catch (err) {
      row.state = 'failed';
      row.error = err instanceof Error ? err.message : String(err);
      d.done++;
      delete d.current;
      await persist(l);
      progress(l, 'variant-end', i);
      return;
    }
    l.run = handle;
    row.runId = handle.id;
    d.current.runId = handle.id;
    await persist(l);
    progress(l, 'variant-start', i);
    if (nan !== null || l.cancelled || closing) handle.stop();
    const state = await handle.wait();
    l.run = undefined;
    row.wallSec = (performance.now() - t0) / 1000;
    row.state = state === 'finished' ? 'finished' : state === 'failed' ? 'failed' : 'stopped';
    if (nan !== null) {
      row.diverged = true;
      row.error = nan;
      await updateStatus(handle.dir, { error: nan }).catch(() => {});
    } else if (state === 'failed') {
      row.error = (await readStatus(handle.dir).catch(() => undefined))?.error ?? 'the run failed';
    }
    try {
      Object.assign(row, summariseVariant((await readMetrics(handle.dir)) as unknown as StreamEvent[]));
    } catch (err) {
      console.error(`[studies] could not summarise ${handle.id}:`, err);
    }
    d.done++;
    delete d.current;
    await persist(l);
    progress(l, 'variant-end', i);
  }

  async function runStudy(l: LiveStudy): Promise<void> {
    const d = l.detail;
    if (d.state !== 'queued') return; // cancelled while queued
    if (!closing) {
      d.state = 'running';
      await persist(l);
      for (let i = 0; i < d.rows.length; i++) {
        if (l.cancelled || closing) break;
        await runVariant(l, i);
      }
    }
    if (l.cancelled) for (const r of d.rows) if (r.state === 'pending') r.state = 'skipped';
    d.state = l.cancelled ? 'cancelled' : closing ? 'interrupted' : d.rows.every((r) => r.state === 'failed') ? 'failed' : 'finished';
    d.finishedAt = new Date().toISOString();
    await persist(l);
    live.delete(d.id);
    progress(l, 'end');
  }

  const handlers: Pick<Handlers, StudyHandlerNames> = {
    'studies.start': async (req) => {
      if (closing) throw new ApiError('closing', 'The app is shutting down');
      const variants = buildVariants(studyAxes(req));
      const dataKind = runKind(req.dataset);
      if (req.kind === 'augmentation' && dataKind === 'points') throw new ApiError('invalid_config', 'an augmentation study needs an image dataset: DiffAugment and ADA augment images, not 2D points');
      const base: Record<string, unknown> = { ...(req.config ?? {}), dataset: req.dataset, steps: req.steps };
      // The trainer scores MS-SSIM (and with labels FID*/KID*) at the last step itself: no tfjs in this process.
      if (dataKind === 'images' && base.evalEvery === undefined) base.evalEvery = req.steps;
      let configs: TrainConfig[];
      try {
        configs = variantConfigs(base, variants);
      } catch (err) {
        throw new ApiError('invalid_config', err instanceof Error ? err.message : String(err));
      }
      const detail: StudyDetail = {
        id: makeStudyId(req.kind),
        kind: req.kind,
        dataset: req.dataset,
        dataKind,
        steps: req.steps,
        state: 'queued',
        createdAt: new Date().toISOString(),
        total: variants.length,
        done: 0,
        spec: req,
        rows: variants.map((v) => ({ label: v.label, sets: v.sets, state: 'pending' })),
      };
      const l: LiveStudy = { detail, configs, cancelled: false, saving: Promise.resolve() };
      live.set(detail.id, l);
      await persist(l);
      progress(l, 'queued');
      queue = queue.then(() => runStudy(l)).catch((err) => console.error(`[studies] ${detail.id} failed:`, err));
      return summaryOf(detail);
    },
    'studies.list': async () => {
      const names = await readdir(dir).catch(() => [] as string[]);
      const found = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => readStudy(join(dir, n))));
      const byId = new Map<string, StudyDetail>();
      for (const d of found) if (d) byId.set(d.id, d);
      for (const [id, l] of live) byId.set(id, l.detail);
      return [...byId.values()].map(summaryOf).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
    'studies.get': async ({ id }) => structuredClone(await find(id)),
    'studies.cancel': async ({ id }) => {
      const l = live.get(id);
      if (!l) {
        const d = await find(id);
        throw new ApiError('not_running', `Study '${id}' is not running (it is ${d.state})`);
      }
      l.cancelled = true;
      if (l.detail.state === 'queued') {
        // Not started yet: it ends here; the queue skips it.
        for (const r of l.detail.rows) r.state = 'skipped';
        l.detail.state = 'cancelled';
        l.detail.finishedAt = new Date().toISOString();
        await persist(l);
        live.delete(id);
        progress(l, 'end');
      } else l.run?.stop();
      return summaryOf(l.detail);
    },
  };

  return {
    handlers,
    async close() {
      // Synchronous part first: no new variant starts; the runs service's close stops (or kills) the current ones.
      closing = true;
      for (const l of live.values()) l.run?.stop();
      await queue;
    },
  };
}
