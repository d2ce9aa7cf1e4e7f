import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import {
  appendMetrics, createRun, latestCheckpoint, listRuns, listSamples, openRun, readCheckpoint, readMetrics, readStatus,
  truncateMetrics, updateStatus, writeCheckpoint, writeSample, atomicWrite, sweepTempFiles,
} from './store';
import { imageGridPng, scatterPng } from '../imaging/png';

const ws = mkdtempSync(path.join(tmpdir(), 'sngan-runs-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('run store', () => {
  it('creates, reopens and lists runs', async () => {
    const cfg = parseConfig({ dataset: 'builtin:ring8', steps: 100 });
    const run = await createRun(ws, cfg);
    expect(run.id).toMatch(/^[A-Za-z0-9._:-]+$/);
    expect(run.id).toContain('ring8');
    const again = await openRun(run.dir);
    expect(again.config).toEqual(cfg);
    expect(again.status).toMatchObject({ state: 'created', step: 0, steps: 100 });
    await updateStatus(run.dir, { state: 'running', step: 5 });
    expect(await readStatus(run.dir)).toMatchObject({ state: 'running', step: 5 });
    await updateStatus(run.dir, { state: 'paused', error: 'boom' });
    await updateStatus(run.dir, { state: 'running' });
    expect((await readStatus(run.dir)).error).toBeUndefined();
    const runs = await listRuns(ws);
    expect(runs.map((r) => r.id)).toContain(run.id);
  });

  it('appends metrics, tolerates a torn line, truncates after a step', async () => {
    const { dir } = await createRun(ws, parseConfig({}), 'metrics-run');
    for (let s = 1; s <= 5; s++) await appendMetrics(dir, { type: 'metrics', step: s * 10 });
    const fs = await import('node:fs/promises');
    await fs.appendFile(path.join(dir, 'metrics.jsonl'), '{"type":"metr');
    expect((await readMetrics(dir)).length).toBe(5);
    expect((await readMetrics(dir, 30)).map((e) => e.step)).toEqual([40, 50]);
    await truncateMetrics(dir, 20);
    expect((await readMetrics(dir)).map((e) => e.step)).toEqual([10, 20]);
  });

  it('writes checkpoints atomically and keeps the newest N', async () => {
    const { dir } = await createRun(ws, parseConfig({}), 'ckpt-run');
    for (const s of [10, 20, 30, 40]) await writeCheckpoint(dir, s, new Uint8Array([s]), 2);
    const names = readdirSync(path.join(dir, 'checkpoints'));
    expect(names.sort()).toEqual(['step-30.ckpt', 'step-40.ckpt']);
    const latest = await latestCheckpoint(dir);
    expect(latest?.step).toBe(40);
    expect(Array.from(await readCheckpoint(latest!.path))).toEqual([40]);
  });

  it('writes sample PNGs (image grid and scatter)', async () => {
    const { dir } = await createRun(ws, parseConfig({}), 'sample-run');
    const grid = await imageGridPng(new Float32Array(4 * 28 * 28).fill(0.5), [4, 28, 28, 1]);
    const p = await writeSample(dir, 100, grid);
    expect(existsSync(p)).toBe(true);
    const meta = await sharp(p).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(2 * (2 * 28 + 3 * 2));
    const sc = await scatterPng(new Float32Array([0, 0, 1, 1, 2, 0]), [[2, 0]]);
    await writeSample(dir, 50, sc);
    expect(await listSamples(dir)).toEqual([50, 100]);
  });
});

describe('crash safety', () => {
  it('a torn last line of metrics.jsonl is never glued to the next row', async () => {
    const run = await createRun(ws, parseConfig({ dataset: 'builtin:ring8' }), 'torn');
    await appendMetrics(run.dir, { type: 'metrics', step: 1 });
    // a crash mid-append: half a JSON line, no newline
    const { appendFileSync } = await import('node:fs');
    appendFileSync(path.join(run.dir, 'metrics.jsonl'), '{"type":"metrics","st');
    await appendMetrics(run.dir, { type: 'metrics', step: 2 });
    expect((await readMetrics(run.dir)).map((e) => e.step)).toEqual([1, 2]);
  });

  it('atomicWrite leaves no temp file when the write fails, and sweepTempFiles removes what a crash left', async () => {
    const run = await createRun(ws, parseConfig({ dataset: 'builtin:ring8' }), 'tmpfiles');
    const { writeFileSync, mkdirSync } = await import('node:fs');
    // the target is a folder: open + rename fails after the temp file exists
    mkdirSync(path.join(run.dir, 'blocked'));
    writeFileSync(path.join(run.dir, 'blocked', 'x'), '');
    await expect(atomicWrite(path.join(run.dir, 'blocked'), 'data')).rejects.toThrow();
    expect(readdirSync(run.dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    writeFileSync(path.join(run.dir, '.status.json.tmp-123-abcd'), '{');
    mkdirSync(path.join(run.dir, 'checkpoints'), { recursive: true });
    writeFileSync(path.join(run.dir, 'checkpoints', '.step-5.ckpt.tmp-9-ffff'), 'x');
    const removed = await sweepTempFiles(run.dir);
    expect(removed).toHaveLength(2);
    expect(readdirSync(run.dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(path.join(run.dir, 'checkpoints'))).toEqual([]);
    expect((await openRun(run.dir)).id).toBe('tmpfiles');
  });
});
