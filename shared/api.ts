/**
 * The one API contract between the renderer and the services.
 * Every call has a request and a response schema; every pushed event has a payload schema.
 * Transports (Electron IPC, HTTP + WebSocket) validate on the receiving side with these.
 * No Node, no DOM: this file is imported by main and renderer alike.
 */
import { z } from 'zod';
import { BACKENDS } from './config';
import { AlertFields, RunState } from './events';
import { StudyDetail, StudyId, StudyProgress, StudyStartRequest, StudySummary } from './studies';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  transport: z.enum(['electron', 'web']),
  backend: z.object({ name: z.string(), reason: z.string(), engine: z.string().optional() }),
  workspace: z.string(),
  platform: z.string(),
  node: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Whether this machine can train with PyTorch (Engine: PyTorch): the Python found, its torch and CUDA, or why not. */
export const PytorchInfo = z.object({
  available: z.boolean(),
  python: z.string().optional(),
  torch: z.string().optional(),
  cuda: z.boolean().optional(),
  reason: z.string().optional(),
});
export type PytorchInfo = z.infer<typeof PytorchInfo>;

/** Who trains a run: the app's own engine (tfjs / onnxruntime) or PyTorch on this machine. */
export const TRAINERS = ['app', 'pytorch'] as const;
export type Trainer = (typeof TRAINERS)[number];

/** Folder-name-safe: letters, digits, . _ : -, and never starting with a dot (so never '.', '..' or a hidden name). */
const Id = z.string().min(1).max(200).regex(/^(?!\.)[A-Za-z0-9._:-]+$/, 'ids use letters, digits, . _ : - and do not start with a dot');
const Empty = z.object({}).strict();
const Json = z.record(z.string(), z.unknown());

export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  count: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  channels: z.number().int(),
  classes: z.array(z.string()),
  classCounts: z.array(z.number().int()).optional(),
  builtin: z.boolean().optional(),
  kind: z.enum(['images', 'points']).optional(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const SkippedFile = z.object({ path: z.string(), reason: z.string(), detail: z.string().optional() });

export const RunSummary = z.object({
  id: z.string(),
  dataset: z.string(),
  state: RunState,
  step: z.number().int(),
  steps: z.number().int(),
  createdAt: z.string(),
  error: z.string().optional(),
  config: Json,
  /** Where the run folder is, for a run registered by path from outside the workspace (trained elsewhere). */
  external: z.string().optional(),
  /** 'pytorch' when its last training was by PyTorch (this machine or elsewhere); absent for the app's engine. */
  trainer: z.enum(TRAINERS).optional(),
  /**
   * When the service last saw this run's state change (monotonic across the service's life). A control reply
   * and a status event can cross on the wire: clients keep the summary with the newer revision.
   */
  rev: z.number().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunCommand = z.enum(['pause', 'resume', 'stop', 'stepOnce']);

const Finite = z.number().finite();
/** A 2D run's snapshot: generator and real points ([x0, y0, x1, y1, …]) over D's decision field. */
export const PointsSample = z.object({
  fake: z.array(Finite),
  real: z.array(Finite),
  modes: z.array(z.tuple([Finite, Finite])),
  field: z
    .object({
      /** Cells per side. */
      n: z.number().int().min(1).max(512),
      /** [xMin, xMax, yMin, yMax]. */
      bounds: z.tuple([Finite, Finite, Finite, Finite]),
      /** D's logits, row-major n×n, row 0 at the top (y = yMax). */
      values: z.array(Finite),
    })
    .refine((f) => f.values.length === f.n * f.n, 'field values must be n×n')
    .optional(),
});
export type PointsSample = z.infer<typeof PointsSample>;

/** One end of a latent interpolation: a cell of the run's fixed-latent sample grid, or a latent drawn from a seed. */
export const LatentRef = z.union([
  z.object({ cell: z.number().int().min(0).max(4095) }).strict(),
  z.object({ seed: z.number().int().min(0).max(2 ** 31 - 1) }).strict(),
]);
export type LatentRef = z.infer<typeof LatentRef>;

export const THEMES = ['system', 'light', 'dark'] as const;
/** The settings a person edits in the app (the desktop shell keeps more: window bounds, recent runs). */
export const AppSettings = z.object({
  /** The workspace folder in use (read-only in web mode; in the desktop app a change applies at the next start). */
  workspace: z.string().min(1).max(4096),
  defaultBackend: z.enum(BACKENDS),
  theme: z.enum(THEMES),
  /** Whether `workspace` can be changed from the app (desktop only). */
  workspaceEditable: z.boolean(),
  /** Set when a changed workspace takes effect only after a restart. */
  pendingWorkspace: z.string().optional(),
});
export type AppSettings = z.infer<typeof AppSettings>;
export const SettingsPatch = z
  .object({
    workspace: z
      .string()
      .trim()
      .min(1, 'the workspace folder cannot be empty')
      .max(4096)
      .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'the workspace must be an absolute path')
      .optional(),
    defaultBackend: z.enum(BACKENDS).optional(),
    theme: z.enum(THEMES).optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/**
 * Desktop only (the Electron preload's `window.sngan`, absent in web mode): what the shell asks the page to do
 * (menu items, files opened from the OS), and the native dialogs the page may ask for.
 */
export const MenuCommand = z.discriminatedUnion('command', [
  z.object({ command: z.literal('showDatasets'), importId: z.string().optional() }),
  z.object({ command: z.literal('import') }),
  z.object({ command: z.literal('export') }),
  z.object({ command: z.literal('settings') }),
  z.object({ command: z.literal('openRun'), id: Id }),
]);
export type MenuCommand = z.infer<typeof MenuCommand>;

export const EXPORT_FORMATS = ['tfjs', 'onnx', 'pytorch', 'png', 'gif', 'html'] as const;
export const DialogRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('openDataset') }).strict(),
  z.object({ kind: z.literal('openRun') }).strict(),
  z.object({ kind: z.literal('chooseWorkspace') }).strict(),
  z.object({ kind: z.literal('choosePackageFolder') }).strict(),
  z
    .object({
      kind: z.literal('exportGenerator'),
      format: z.enum(EXPORT_FORMATS).optional(),
      defaultName: z.string().min(1).max(200).regex(/^[^/\\]+$/, 'a file name, not a path').optional(),
    })
    .strict(),
]);
export type DialogRequest = z.infer<typeof DialogRequest>;
export const DialogResponse = z.object({ canceled: z.boolean(), paths: z.array(z.string()) });
export type DialogResponse = z.infer<typeof DialogResponse>;

/** Request/response pairs, keyed by call name. */
export const calls = {
  'app.info': { req: Empty, res: AppInfo },
  /** Probe (once, cached) for a Python with torch: Engine: PyTorch (this machine) is offered where it is found. */
  'app.pytorch': { req: Empty, res: PytorchInfo },
  'datasets.list': { req: Empty, res: z.array(DatasetSummary) },
  'datasets.get': { req: z.object({ id: Id }).strict(), res: DatasetSummary },
  'datasets.import': {
    req: z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
        size: z.union([z.literal(28), z.literal(32), z.literal(64), z.literal(128)]).optional(),
        channels: z.union([z.literal(1), z.literal(3)]).optional(),
        fit: z.enum(['crop', 'letterbox']).optional(),
        name: z.string().max(200).optional(),
      })
      .strict(),
    res: z.object({ importId: z.string() }),
  },
  'datasets.cancelImport': { req: z.object({ importId: Id }).strict(), res: z.object({ cancelled: z.boolean() }) },
  'datasets.thumbnails': {
    req: z
      .object({ id: Id, offset: z.number().int().min(0), limit: z.number().int().min(1).max(500), classIndex: z.number().int().min(0).optional() })
      .strict(),
    res: z.object({ total: z.number().int(), items: z.array(z.object({ index: z.number().int(), label: z.number().int().optional(), dataUrl: z.string() })) }),
  },
  'datasets.delete': { req: z.object({ id: Id }).strict(), res: z.object({ deleted: z.boolean() }) },
  'datasets.rename': { req: z.object({ id: Id, name: z.string().min(1).max(200) }).strict(), res: DatasetSummary },
  'runs.list': { req: Empty, res: z.array(RunSummary) },
  /** `trainer: 'pytorch'` trains it with the PyTorch package in this machine's Python (see app.pytorch). */
  'runs.create': { req: z.object({ dataset: z.string().min(1).max(4096), config: Json.optional(), trainer: z.enum(TRAINERS).optional() }).strict(), res: RunSummary },
  'runs.get': {
    req: z.object({ id: Id }).strict(),
    res: RunSummary.extend({ samples: z.array(z.number().int()), checkpoints: z.array(z.number().int()).optional(), kind: z.enum(['images', 'points']).optional() }),
  },
  'runs.control': { req: z.object({ id: Id, command: RunCommand }).strict(), res: RunSummary },
  /**
   * Write a PyTorch training package (Python sources, config, dataset, optionally a run's checkpoint to continue)
   * into the empty folder `out`; the answer lists the commands to train it elsewhere.
   */
  'runs.package': {
    req: z
      .object({ dataset: z.string().min(1).max(4096), config: Json.optional(), out: z.string().min(1).max(4096), run: Id.optional(), checkpoint: z.number().int().min(0).optional() })
      .strict(),
    res: z.object({ out: z.string(), dataset: z.string(), files: z.number().int(), commands: z.array(z.string()), continues: z.object({ run: z.string(), step: z.number().int() }).optional() }),
  },
  /** Register a run folder trained elsewhere (PyTorch package, a cluster's shared disk) by its full path; watched while it grows. */
  'runs.add': { req: z.object({ path: z.string().min(1).max(4096) }).strict(), res: RunSummary },
  'runs.metrics': { req: z.object({ id: Id, since: z.number().int().min(0).optional() }).strict(), res: z.array(Json) },
  'runs.sample': {
    /** `augmented`: the grid of augmented training images written at that step (runs with augmentation on), not G's samples. */
    req: z.object({ id: Id, step: z.number().int().min(0), augmented: z.boolean().optional() }).strict(),
    /** `points`: the snapshot's data for 2D runs (absent for image runs and for older 2D runs). */
    res: z.object({ step: z.number().int(), dataUrl: z.string(), points: PointsSample.optional() }),
  },
  'runs.interpolate': {
    req: z
      .object({
        id: Id,
        /** Checkpoint step (default: the newest). */
        checkpoint: z.number().int().min(0).optional(),
        a: LatentRef,
        b: LatentRef,
        /** Images in the strip, ends included. */
        n: z.number().int().min(2).max(32),
      })
      .strict(),
    res: z.object({ step: z.number().int(), n: z.number().int(), dataUrl: z.string() }),
  },
  'runs.delete': { req: z.object({ id: Id }).strict(), res: z.object({ deleted: z.boolean() }) },
  'export.run': {
    req: z
      .object({
        id: Id,
        format: z.enum(EXPORT_FORMATS),
        /** Destination folder; must not exist yet (defaults to <workspace>/exports/<run>-<format>-<step>). */
        out: z.string().min(1).max(4096).optional(),
        checkpoint: z.number().int().min(0).optional(),
        n: z.number().int().min(1).max(4096).optional(),
        seed: z.number().int().min(0).optional(),
      })
      .strict(),
    res: z.object({ format: z.string(), out: z.string(), files: z.array(z.string()), step: z.number().int().optional(), maxAbsDiff: z.number().optional() }),
  },
  /** Train one run per variant (stabilisers, SN power iterations, presets A–F), queued, then summarise each. */
  'studies.start': { req: StudyStartRequest, res: StudySummary },
  'studies.list': { req: Empty, res: z.array(StudySummary) },
  'studies.get': { req: z.object({ id: StudyId }).strict(), res: StudyDetail },
  /** Stop the current variant cleanly (its checkpoint is kept) and skip the rest. */
  'studies.cancel': { req: z.object({ id: StudyId }).strict(), res: StudySummary },
  'settings.get': { req: Empty, res: AppSettings },
  'settings.update': { req: SettingsPatch, res: AppSettings },
} as const;

/** Pushed events, keyed by event name. */
export const events = {
  'import.progress': z.object({
    importId: z.string(),
    phase: z.enum(['scanning', 'decoding', 'writing', 'done', 'failed', 'cancelled']),
    seen: z.number().int(),
    decoded: z.number().int(),
    skipped: z.number().int(),
    etaSec: z.number().optional(),
    dataset: DatasetSummary.optional(),
    skippedFiles: z.array(SkippedFile).optional(),
    error: z.string().optional(),
  }),
  'run.status': RunSummary,
  'run.progress': z.object({ runId: z.string(), step: z.number().int(), steps: z.number().int(), stepsPerSec: z.number(), etaSec: z.number() }),
  'run.metrics': z.object({ runId: z.string(), metrics: Json }),
  'run.sample': z.object({ runId: z.string(), step: z.number().int() }),
  'run.error': z.object({ runId: z.string(), message: z.string(), code: z.string().optional(), step: z.number().int().optional(), layer: z.string().optional() }),
  /** A training alert (divergence, D overpowering, spectral collapse, mode collapse) raised by the trainer. */
  'run.alert': AlertFields.extend({ runId: z.string() }),
  /** A study variant started or ended, or the study ended (or was queued). */
  'study.progress': StudyProgress,
} as const;

export type CallName = keyof typeof calls;
export type EventName = keyof typeof events;
export type CallRequest<K extends CallName> = z.input<(typeof calls)[K]['req']>;
export type CallResponse<K extends CallName> = z.infer<(typeof calls)[K]['res']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

/** Errors cross the boundary as data, never as exceptions that kill a process. */
export const ApiErrorShape = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
export type ApiErrorShape = z.infer<typeof ApiErrorShape>;
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorShape };

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toShape(): ApiErrorShape {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** What `window.api` is, whichever transport carries it. */
export interface Api {
  call<K extends CallName>(name: K, req: CallRequest<K>): Promise<CallResponse<K>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}

/** Validate a request on the receiving side; returns a typed error instead of throwing. */
export function parseRequest<K extends CallName>(name: K, req: unknown): ApiResult<z.infer<(typeof calls)[K]['req']>> {
  const parsed = calls[name].req.safeParse(req ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as z.infer<(typeof calls)[K]['req']> };
  return { ok: false, error: { code: 'invalid_request', message: `Invalid request for ${name}: ${z.prettifyError(parsed.error)}` } };
}

export function parseEvent<E extends EventName>(name: E, payload: unknown): ApiResult<EventPayload<E>> {
  const parsed = events[name].safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data as EventPayload<E> };
  return { ok: false, error: { code: 'invalid_event', message: `Invalid ${name} event: ${z.prettifyError(parsed.error)}` } };
}

/** Unwrap a transport result into a value or a thrown ApiError (renderer side). */
export function unwrap<T>(result: ApiResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.error.code, result.error.message, result.error.details);
}
