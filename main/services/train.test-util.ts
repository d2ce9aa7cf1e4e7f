/** Test support: a short real training run in a workspace, through the same trainer host the services use. */
import { parseConfig } from '../../shared/config';
import { createRun } from '../runs/store';
import { TrainerHost } from './trainer-host';

export async function trainSmallRun(workspace: string, config: Record<string, unknown>): Promise<{ id: string; dir: string; state: string }> {
  const cfg = parseConfig(config);
  const run = await createRun(workspace, cfg);
  const host = new TrainerHost({ runDir: run.dir, workspace, steps: cfg.steps });
  await host.start();
  const state = await host.wait();
  return { id: run.id, dir: run.dir, state };
}
