/** datasets.* calls: import (cancellable, with progress events), list, get, thumbnails, delete, rename. */
import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { ApiError, type CallResponse, type DatasetSummary } from '../../shared/api';
import type { Handlers } from './dispatch';
import type { ServiceContext } from './context';
import { importInChild } from './import-host';
import type { ImportProgress } from '../../shared/datasets';
import * as store from '../datasets/store';
import { builtinSummaries } from '../datasets/builtin';

type DatasetHandlerNames = 'datasets.list' | 'datasets.get' | 'datasets.import' | 'datasets.cancelImport' | 'datasets.thumbnails' | 'datasets.delete' | 'datasets.rename';

export function datasetHandlers(ctx: ServiceContext): { handlers: Pick<Handlers, DatasetHandlerNames>; close(): void } {
  const running = new Map<string, AbortController>();

  const handlers: Pick<Handlers, DatasetHandlerNames> = {
    'datasets.list': async () => [...builtinSummaries(), ...(await store.listDatasets(ctx.workspace)).map(store.toSummary)],
    'datasets.get': async ({ id }) => {
      const builtin = builtinSummaries().find((d) => d.id === id);
      if (builtin) return builtin;
      return store.toSummary(await requireDataset(ctx.workspace, id));
    },
    'datasets.import': async (req) => {
      // A relative path would resolve against wherever the server happens to run: only full paths are taken.
      const relative = req.paths.find((p) => !isAbsolute(p));
      if (relative !== undefined) throw new ApiError('invalid_request', `paths: '${relative}' is not a full path`);
      const importId = randomUUID();
      const abort = new AbortController();
      running.set(importId, abort);
      const progress = (p: ImportProgress) => ctx.events.emit('import.progress', { importId, ...p });
      // Runs after the call returns, in a process of its own: the renderer follows it through import.progress events.
      void importInChild(req.paths, { workspace: ctx.workspace, size: req.size, channels: req.channels, fit: req.fit, name: req.name }, { signal: abort.signal, onProgress: progress })
        .then(({ manifest, skipped }) => {
          ctx.events.emit('import.progress', {
            importId,
            phase: 'done',
            seen: manifest.count + skipped.length,
            decoded: manifest.count,
            skipped: skipped.length,
            dataset: store.toSummary(manifest),
            skippedFiles: skipped.map((s) => ({ path: s.path, reason: s.reason, detail: s.detail })),
          });
        })
        .catch((err: Error & { skipped?: { path: string; reason: string; detail?: string }[] }) => {
          const cancelled = abort.signal.aborted;
          ctx.events.emit('import.progress', {
            importId,
            phase: cancelled ? 'cancelled' : 'failed',
            seen: 0,
            decoded: 0,
            skipped: err.skipped?.length ?? 0,
            error: cancelled ? 'Import cancelled; nothing was written.' : err.message,
            skippedFiles: err.skipped?.map((s) => ({ path: s.path, reason: s.reason, detail: s.detail })),
          });
        })
        .finally(() => running.delete(importId));
      return { importId };
    },
    'datasets.cancelImport': async ({ importId }) => {
      const abort = running.get(importId);
      abort?.abort();
      return { cancelled: Boolean(abort) };
    },
    'datasets.thumbnails': async ({ id, offset, limit, classIndex }): Promise<CallResponse<'datasets.thumbnails'>> => {
      await requireDataset(ctx.workspace, id);
      return store.thumbnailPage(ctx.workspace, id, { offset, limit, classIndex });
    },
    'datasets.delete': async ({ id }) => {
      await requireDataset(ctx.workspace, id);
      await store.deleteDataset(ctx.workspace, id);
      return { deleted: true };
    },
    'datasets.rename': async ({ id, name }): Promise<DatasetSummary> => {
      await requireDataset(ctx.workspace, id);
      return store.toSummary(await store.renameDataset(ctx.workspace, id, name));
    },
  };

  return {
    handlers,
    close() {
      for (const abort of running.values()) abort.abort();
    },
  };
}

async function requireDataset(workspace: string, id: string) {
  const manifest = await store.getDataset(workspace, id).catch(() => undefined);
  if (!manifest) throw new ApiError('not_found', `No dataset '${id}' in the workspace`);
  return manifest;
}
