import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { trainCommand } from './train';
import { listRuns } from '../runs/store';
import { tinyDataset } from '../torch/package.test-util';
import { createServices } from '../services/services';

const ws = mkdtempSync(path.join(tmpdir(), 'sngan-small-data-'));
const services = createServices({ workspace: ws, transport: 'web' });
afterAll(async () => {
  await services.close();
  rmSync(ws, { recursive: true, force: true });
});

describe('tiny datasets are refused with the minimum and the reason (issue #18)', () => {
  it('CLI train: fewer images than the batch, or a held-out slice that leaves too few; no run folder made', async () => {
    await tinyDataset(ws, 'tiny', 40);
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    expect(await trainCommand(['--dataset', 'tiny', '--workspace', ws, '--steps', '5', '--set', 'batch=64'])).toBe(2);
    expect(await trainCommand(['--dataset', 'tiny', '--workspace', ws, '--steps', '5', '--set', 'batch=8', '--set', 'heldOut=0.1'])).toBe(2);
    spy.mockRestore();
    expect(err.join('')).toMatch(/40 images, fewer than the batch \(64\)/);
    expect(err.join('')).toMatch(/needs at least 200: the overfitting gauge holds out 100/);
    expect(await listRuns(ws)).toEqual([]);
  });

  it('runs.create answers dataset_too_small', async () => {
    await tinyDataset(ws, 'tiny2', 40);
    const r = await services.call('runs.create', { dataset: 'tiny2', config: { batch: 64 } });
    expect(r).toMatchObject({ ok: false, error: { code: 'dataset_too_small' } });
    expect((r as { error: { message: string } }).error.message).toMatch(/fewer than the batch/);
  });
});
