/** Test support: one web-transport Services over a fresh workspace for the calling test file, closed after it. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createServices } from './services';

export function servicesForFile(prefix: string): { root: string; workspace: string; services: ReturnType<typeof createServices> } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const workspace = join(root, 'ws');
  mkdirSync(workspace);
  const services = createServices({ workspace, transport: 'web' });
  afterAll(async () => {
    await services.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { root, workspace, services };
}
