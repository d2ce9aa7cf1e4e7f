/** evaluateRun: a run's generator scored against another labelled dataset (a test set), with clear errors for misfits. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend';
import { importDataset } from '../datasets/import';
import { idx } from '../datasets/test-fixtures';
import { makeRun } from './run-fixture.test-util';
import { evaluateRun } from './evaluate';

let ws: string;
beforeAll(async () => {
  await initBackend({ force: 'wasm', wasmThreads: 1 });
  ws = mkdtempSync(path.join(os.tmpdir(), 'sngan-eval-'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

async function testSet(n: number, side: number): Promise<string> {
  const dir = mkdtempSync(path.join(ws, 'idx-'));
  const px = Uint8Array.from({ length: n * side * side }, (_, i) => (i * 37 + (i >> 7)) % 256);
  writeFileSync(path.join(dir, 'images-idx3-ubyte'), idx([n, side, side], px));
  writeFileSync(path.join(dir, 'labels-idx1-ubyte'), idx([n], Uint8Array.from({ length: n }, (_, i) => i % 4)));
  const r = await importDataset([path.join(dir, 'images-idx3-ubyte'), path.join(dir, 'labels-idx1-ubyte')], { workspace: ws, name: `test-${side}` });
  return r.manifest.id;
}

describe('eval against a held-out dataset', () => {
  it('scores a 28×28 run against a labelled test set: FID*, KID*, MS-SSIM with the counts used', async () => {
    const run = await makeRun(ws, 'images');
    run.trainer.dispose();
    const against = await testSet(200, 28);
    const r = await evaluateRun({ run: run.dir, against, workspace: ws, samples: 64, real: 100, seed: 3 });
    expect(r.step).toBe(2);
    expect(r.against).toBe(against);
    expect(r.eval.samples).toBe(64);
    expect(r.eval.realSamples).toBe(100);
    expect(Number.isFinite(r.eval.classifierFid!) && r.eval.classifierFid! >= 0).toBe(true);
    expect(Number.isFinite(r.eval.classifierKid!)).toBe(true);
    // the same seed scores the same images the same way
    const again = await evaluateRun({ run: run.dir, against, workspace: ws, samples: 64, real: 100, seed: 3 });
    expect(again.eval.classifierFid).toBe(r.eval.classifierFid);
  }, 120_000);

  it('refuses a dataset of another image size, naming both', async () => {
    const run = await makeRun(ws, 'images');
    run.trainer.dispose();
    const against = await testSet(40, 32);
    await expect(evaluateRun({ run: run.dir, against, workspace: ws, samples: 16 })).rejects.toThrow(/32×32×1 images, the generator makes 28×28×1/);
  }, 60_000);
});
