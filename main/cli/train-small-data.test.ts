import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { trainCommand } from './train';
import { listRuns, readMetrics } from '../runs/store';
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

describe("'auto' augmentation on resume", () => {
  it('a resumed run keeps the mode it logged, whatever auto means today (it meant DiffAugment before ADA)', async () => {
    await tinyDataset(ws, 'tiny-auto', 64);
    const set = ['batch=8', 'zdim=8', 'd.ch=4', 'g.ch=4', 'logEvery=1', 'checkpointEvery=2', 'sampleEvery=100', 'diagEvery=0', 'engine=tfjs'].flatMap((kv) => ['--set', kv]);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await trainCommand(['--dataset', 'tiny-auto', '--workspace', ws, '--steps', '2', ...set])).toBe(0);
      const [run] = (await listRuns(ws)).filter((r) => r.config.dataset === 'tiny-auto');
      const logged = async () => (await readMetrics(run!.dir)).filter((e) => e.type === 'metrics').map((e) => [e.step, e.augMode]);
      expect(run!.config.aug.mode).toBe('auto');
      expect(await logged()).toEqual([[1, 'ada'], [2, 'ada']]);
      // as a run of the earlier version would have logged it
      const file = path.join(run!.dir, 'metrics.jsonl');
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"augMode":"ada"', '"augMode":"diffaugment"'));
      expect(await trainCommand(['--resume', run!.dir, '--workspace', ws, '--steps', '4'])).toBe(0);
      expect(await logged()).toEqual([[1, 'diffaugment'], [2, 'diffaugment'], [3, 'diffaugment'], [4, 'diffaugment']]);
    } finally {
      spy.mockRestore();
    }
  });
});
