/**
 * Runs trained elsewhere (a cluster job's output on a shared disk, the PyTorch package's --out folder), registered
 * by path in `<workspace>/external-runs.json` and shown like local ones. The folder stays where it is; the app only
 * reads it. An id comes from the run's own status.json and must not clash with a run already in the workspace.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWrite } from './atomic';

export interface ExternalRun {
  id: string;
  dir: string;
}

const registryFile = (workspace: string) => path.join(workspace, 'external-runs.json');

export async function externalRuns(workspace: string): Promise<ExternalRun[]> {
  try {
    const j = JSON.parse(await fs.readFile(registryFile(workspace), 'utf8')) as { runs?: ExternalRun[] };
    return (j.runs ?? []).filter((r) => typeof r?.id === 'string' && typeof r?.dir === 'string' && path.isAbsolute(r.dir));
  } catch {
    return [];
  }
}

export async function externalDir(workspace: string, id: string): Promise<string | undefined> {
  return (await externalRuns(workspace)).find((r) => r.id === id)?.dir;
}

export async function writeExternalRuns(workspace: string, runs: ExternalRun[]): Promise<void> {
  await atomicWrite(registryFile(workspace), JSON.stringify({ version: 1, runs }, null, 2) + '\n');
}
