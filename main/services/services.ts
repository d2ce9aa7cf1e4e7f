/**
 * The API's implementation, transport-agnostic: Electron IPC and the web server both call `call()`
 * and subscribe to `events`.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApiResult, AppInfo, PytorchInfo } from '../../shared/api';
import { probeBackend } from './backend-probe';
import { dispatch, type Handlers } from './dispatch';
import { EventBus } from './event-bus';
import { datasetHandlers } from './datasets';
import { runHandlers } from './runs';
import { exportHandlers } from './export';
import { studyHandlers } from './studies';
import { defaultBackendOf, settingsHandlers, workspaceSettings, type SettingsProvider } from './settings';
import type { TrainerLaunch } from './trainer-host';
import type { ServiceContext } from './context';
import { appVersion } from './app-version';
import { findTorchPython } from './pytorch-local';

export type { ServiceContext };
export { appVersion };

export interface ServiceOptions {
  workspace: string;
  transport: AppInfo['transport'];
  /** Force a tfjs backend for training (else the best available is picked). */
  backend?: string;
  /** How trainer processes start: Electron passes a utilityProcess launcher; default child_process.fork. */
  launchTrainer?: TrainerLaunch;
  /** Where settings live: the desktop shell's store; default `<workspace>/settings.json` (web mode). */
  settings?: SettingsProvider;
}

export interface Services {
  call(name: string, req: unknown): Promise<ApiResult<unknown>>;
  events: EventBus;
  workspace: string;
  close(): Promise<void>;
}


export function createServices(opts: ServiceOptions): Services {
  const workspace = resolve(opts.workspace);
  mkdirSync(workspace, { recursive: true });
  const events = new EventBus();
  const settings = opts.settings ?? workspaceSettings(workspace);
  let pytorch: Promise<PytorchInfo> | null = null;
  const ctx: ServiceContext = { workspace, events, backend: opts.backend, launchTrainer: opts.launchTrainer, settings, pytorch: () => (pytorch ??= findTorchPython()) };
  const datasets = datasetHandlers(ctx);
  const runs = runHandlers(ctx);
  const studies = studyHandlers(ctx, runs);

  const handlers: Handlers = {
    'app.info': async () => ({
      name: 'SNGAN Studio',
      version: appVersion(),
      transport: opts.transport,
      backend: await probeBackend(opts.backend ?? defaultBackendOf(settings)),
      workspace,
      platform: `${process.platform}-${process.arch}`,
      node: process.versions.node,
    }),
    'app.pytorch': () => ctx.pytorch(),
    ...datasets.handlers,
    ...runs.handlers,
    ...studies.handlers,
    ...exportHandlers(ctx),
    ...settingsHandlers(settings, workspace),
  };

  return {
    call: (name, req) => dispatch(handlers, name, req),
    events,
    workspace,
    async close() {
      // Both at once: studies stop queueing and wait for their current run, which runs.close() stops.
      await Promise.all([studies.close(), runs.close()]);
      datasets.close();
    },
  };
}
