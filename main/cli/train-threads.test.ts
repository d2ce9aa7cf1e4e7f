// Training on the threaded wasm build gives what the single-threaded build gives: the same 20 steps of a conv
// GAN in two trainer processes (one module each), threads=2 against threads=1.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config';
import type { TrainerEvent } from '../../shared/events';
import { decodeCheckpoint } from '../engine/trainer/checkpoint';
import { createRun, latestCheckpoint, readCheckpoint } from '../runs/store';
import { TrainerHost } from '../services/trainer-host';

const ws = mkdtempSync(path.join(os.tmpdir(), 'sngan-threads-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

async function train(threads: number): Promise<{ vars: Record<string, Float32Array>; reason: string }> {
  const cfg = parseConfig({ dataset: 'builtin:shapes', arch: 'cnn32', steps: 20, batch: 16, zdim: 16, d: { ch: 16 }, g: { ch: 16 }, checkpointEvery: 20, sampleEvery: 20, diagEvery: 0, seed: 3, backend: 'wasm', threads, engine: 'tfjs' }); // the wasm engine's threads, not onnxruntime's
  const run = await createRun(ws, cfg, `t${threads}`);
  let reason = '';
  const host = new TrainerHost({ runDir: run.dir, workspace: ws, onEvent: (e: TrainerEvent) => void (e.type === 'status' && e.backend && (reason = e.message ?? '')) });
  await host.start();
  expect(await host.wait()).toBe('finished');
  return { vars: decodeCheckpoint(await readCheckpoint((await latestCheckpoint(run.dir))!.path)).state.vars, reason };
}

describe.skipIf(os.cpus().length < 2)('threaded wasm training', () => {
  it('20 steps with 2 threads equal 20 steps single-threaded within 1e-5 relative', async () => {
    const one = await train(1);
    const two = await train(2);
    expect(one.reason).toMatch(/single-threaded/);
    expect(two.reason).toMatch(/threaded-simd build, 2 threads/);
    let worst = 0;
    for (const [k, a] of Object.entries(one.vars)) {
      const b = two.vars[k]!;
      let num = 0;
      let den = 0;
      for (let i = 0; i < a.length; i++) {
        num = Math.max(num, Math.abs(a[i] - b[i]));
        den = Math.max(den, Math.abs(a[i]));
      }
      worst = Math.max(worst, num / (den || 1));
    }
    console.log(`[threads] max relative weight difference after 20 steps: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
  }, 300_000);
});
