import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../shared/api';
import { createServices } from './services';

const workspace = mkdtempSync(join(tmpdir(), 'sngan-services-'));
const services = createServices({ workspace, transport: 'web' });
afterAll(async () => {
  await services.close();
  rmSync(workspace, { recursive: true, force: true });
});

function nextImportEnd(): Promise<EventPayload<'import.progress'>> {
  return new Promise((resolve) => {
    const off = services.events.subscribe((name, payload) => {
      const p = payload as EventPayload<'import.progress'>;
      if (name === 'import.progress' && ['done', 'failed', 'cancelled'].includes(p.phase)) {
        off();
        resolve(p);
      }
    });
  });
}

describe('services', () => {
  it('answers app.info with the backend a trainer process gets, probed in a child process', async () => {
    const r = await services.call('app.info', {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const info = r.value as { backend: { name: string; reason: string; engine?: string }; transport: string };
    expect(info.transport).toBe('web');
    expect(info.backend.name).toMatch(/^(wasm|tensorflow|tensorflow-gpu|webgpu)$/);
    expect(info.backend.reason.length).toBeGreaterThan(0);
    // and whether training steps compile to onnxruntime here (they do: onnxruntime-node ships its CPU build)
    expect(info.backend.engine).toMatch(/^onnxruntime-node [\d.]+ \(cpu, \d+ threads\): training steps compile to ONNX/);
  });

  it('rejects unknown calls and invalid requests with typed errors', async () => {
    expect(await services.call('nope.nothing', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await services.call('datasets.get', { id: 'a/b' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await services.call('datasets.get', { id: 'missing' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('lists the built-in datasets', async () => {
    const r = await services.call('datasets.list', {});
    expect(r.ok && (r.value as { id: string }[]).map((d) => d.id)).toEqual(expect.arrayContaining(['builtin:ring8', 'builtin:grid25']));
  });

  it('imports Fashion-MNIST test images through the service with progress events, then browses them', async () => {
    const done = nextImportEnd();
    const r = await services.call('datasets.import', {
      paths: ['/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz'],
      name: 'fashion-test',
    });
    expect(r.ok).toBe(true);
    const end = await done;
    expect(end.phase).toBe('done');
    expect(end.dataset).toMatchObject({ count: 10_000, width: 28, height: 28, channels: 1 });
    expect(end.dataset!.classes).toHaveLength(10);
    const page = await services.call('datasets.thumbnails', { id: end.dataset!.id, offset: 0, limit: 8 });
    expect(page.ok && (page.value as { items: { dataUrl: string }[] }).items[0]!.dataUrl).toMatch(/^data:image\/png;base64,/);
  });

  it('reports an import with no good files as a failed import that says why', async () => {
    const done = nextImportEnd();
    await services.call('datasets.import', { paths: [join(workspace, 'does-not-exist')] });
    const end = await done;
    expect(end.phase).toBe('failed');
    expect(end.error).toBeTruthy();
  });
});

describe('export service', () => {
  it('exports a run in a child process, and names the damaged file of a broken run', async () => {
    const { trainSmallRun } = await import('./train.test-util');
    expect((await trainSmallRun(workspace, { dataset: 'builtin:ring8', steps: 20, checkpointEvery: 10 })).state).toBe('finished');
    const runs = await services.call('runs.list', {});
    const id = runs.ok ? (runs.value as { id: string }[])[0]!.id : '';
    const r = await services.call('export.run', { id, format: 'onnx' });
    expect(r).toMatchObject({ ok: true, value: { format: 'onnx' } });
    expect((r as { value: { files: string[] } }).value.files).toEqual(expect.arrayContaining(['generator.onnx', 'manifest.json']));

    const { writeFileSync, readdirSync } = await import('node:fs');
    const ckpts = join(workspace, 'runs', id, 'checkpoints');
    for (const f of readdirSync(ckpts)) writeFileSync(join(ckpts, f), 'truncated');
    const bad = await services.call('export.run', { id, format: 'tfjs' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toMatch(/step-\d+\.ckpt/);
  }, 180_000);
});
