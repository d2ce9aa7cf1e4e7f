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

/** The next `name` event of `services` whose payload `match`es, within `ms`. */
export function nextEvent(services: ReturnType<typeof createServices>, name: string, match: (p: Record<string, unknown>) => boolean, ms = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no ${name} event`))), ms);
    const off = services.events.subscribe((n, p) => {
      if (n === name && match(p as Record<string, unknown>)) {
        clearTimeout(timer);
        off();
        resolve(p as Record<string, unknown>);
      }
    });
  });
}
