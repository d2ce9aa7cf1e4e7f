import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPayload } from '../../shared/api';
import { createServices, type Services } from './services';
import { png } from '../datasets/test-fixtures';
import { idxHeader } from '../datasets/hostile-fixtures.test-util';

// Imports must run in a child process: the importer loaded into this (the main) process would throw.
vi.mock('../datasets/import', () => ({
  importDataset: () => {
    throw new Error('importDataset ran in the main process');
  },
}));

let root: string;
let services: Services;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-datasets-service-'));
  services = createServices({ workspace: join(root, 'ws'), transport: 'web' });
  await writeFile(join(root, 'a.png'), await png(30, 30));
  await writeFile(join(root, 'lie-images-idx3-ubyte'), idxHeader([0x7fffffff, 28, 0]));
  // enough files that a cancel sent at the first progress event lands long before the import could finish
  await mkdir(join(root, 'many'));
  const one = await png(64, 64);
  for (let i = 0; i < 300; i++) await writeFile(join(root, 'many', `${i}.png`), one);
});
afterAll(async () => {
  await services.close();
  await rm(root, { recursive: true, force: true });
});

async function importAndWait(req: { paths: string[]; name?: string }, onEvent?: (p: EventPayload<'import.progress'>, importId: string) => void) {
  const events: EventPayload<'import.progress'>[] = [];
  let importId = '';
  const end = new Promise<EventPayload<'import.progress'>>((resolve) => {
    const off = services.events.subscribe((name, payload) => {
      const p = payload as EventPayload<'import.progress'>;
      if (name !== 'import.progress') return;
      events.push(p);
      onEvent?.(p, importId);
      if (['done', 'failed', 'cancelled'].includes(p.phase)) {
        off();
        resolve(p);
      }
    });
  });
  const r = await services.call('datasets.import', req);
  expect(r.ok).toBe(true);
  importId = (r as { value: { importId: string } }).value.importId;
  return { end: await end, events, importId };
}

describe('datasets.import', () => {
  it('imports in a child process, with progress events and the same done payload', async () => {
    const { end, events, importId } = await importAndWait({ paths: [join(root, 'a.png')], name: 'one' });
    expect(events.some((e) => e.phase === 'scanning' && e.importId === importId)).toBe(true);
    expect(end).toMatchObject({ importId, phase: 'done', decoded: 1, dataset: { name: 'one', count: 1 } });
  });

  it('a hostile file is a failed import naming the file; the earlier dataset stays', async () => {
    const lie = join(root, 'lie-images-idx3-ubyte');
    const { end } = await importAndWait({ paths: [lie] });
    expect(end).toMatchObject({ phase: 'failed', error: expect.stringContaining(lie), skippedFiles: [{ path: lie, reason: 'corrupt' }] });
    const list = await services.call('datasets.list', {});
    expect(list.ok && (list.value as { name: string }[]).map((d) => d.name)).toContain('one');
  });

  it('cancelImport reaches the child: the import ends cancelled and writes nothing', async () => {
    const before = await readdir(join(root, 'ws', 'datasets'));
    let sent = false;
    const { end } = await importAndWait({ paths: [join(root, 'many')] }, (p, id) => {
      if (sent || !id || p.phase !== 'scanning') return;
      sent = true;
      void services.call('datasets.cancelImport', { importId: id });
    });
    expect(end).toMatchObject({ phase: 'cancelled', error: 'Import cancelled; nothing was written.' });
    expect(await readdir(join(root, 'ws', 'datasets'))).toEqual(before);
  });
});
