/**
 * The PyTorch package end to end, on CPU with gloo: DDP with 2 ranks equals one process on the same global batch,
 * SN u stays identical across ranks, a killed run resumes to exactly the uninterrupted result, and a dying rank
 * fails the job with its error in status.json. (That the app opens, exports and continues these runs is tested
 * in processes/torch-runs.test.ts.)
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../engine/trainer/checkpoint';
import { openRun, readMetrics } from '../runs/store';
import { checkpointAt, makePackage, maxStateDiff, onlyRun, tinyDataset, train } from './package.test-util';
import { torchMissing } from './python.test-util';

const missing = torchMissing();
let ws = '';

beforeAll(async () => {
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'sngan-torch-pkg-'));
});
afterAll(async () => {
  if (ws) await fs.rm(ws, { recursive: true, force: true });
});

const toy = { dataset: 'builtin:ring8', arch: 'mlp', batch: 16, ndis: 1, d: { ch: 16 }, g: { ch: 16 }, sn: { warmup: 2 }, logEvery: 1, sampleEvery: 1, checkpointEvery: 1 } as const;
const metricsOf = async (dir: string) => (await readMetrics(dir)).filter((e) => e.type === 'metrics') as { step: number; dLoss: number; gLoss: number }[];

describe.skipIf(missing !== null)('PyTorch package: DDP', () => {
  it('2 gloo ranks equal 1 process with the same global batch after one D and one G step; SN u identical across ranks', async () => {
    const pkg = await makePackage(ws, 'pkg-ddp', { ...toy, steps: 1 });
    const one = await train(pkg, ['--out', path.join(pkg, 'one')]);
    expect(one.code, one.stderr).toBe(0);
    const dump = path.join(pkg, 'dump');
    const two = await train(pkg, ['--out', path.join(pkg, 'two'), '--nproc', '2'], { SNGAN_RANK_DUMP: dump });
    expect(two.code, two.stderr).toBe(0);
    const [a, b] = [await onlyRun(path.join(pkg, 'one')), await onlyRun(path.join(pkg, 'two'))];
    const d = maxStateDiff(await checkpointAt(a, 1), await checkpointAt(b, 1));
    const la = (await metricsOf(a))[0];
    const lb = (await metricsOf(b))[0];
    console.log(`DDP 2 ranks vs 1 process after one D and one G step: max |Δ| weights/SN/Adam = ${d.toExponential(2)}, |ΔD loss| = ${Math.abs(la.dLoss - lb.dLoss).toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(la.dLoss - lb.dLoss)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(la.gLoss - lb.gLoss)).toBeLessThanOrEqual(1e-6);
    const r0 = decodeCheckpoint(new Uint8Array(await fs.readFile(path.join(dump, 'rank-0.ckpt')))).state;
    const r1 = decodeCheckpoint(new Uint8Array(await fs.readFile(path.join(dump, 'rank-1.ckpt')))).state;
    expect(Object.keys(r0.sn).length).toBe(4);
    expect(maxStateDiff(r0, r1, /^(sn_u|sn_v|var):/)).toBe(0);
    expect((await openRun(b)).status.backend).toMatch(/x2$/);
  });

  it('with batch norm in G, 2 ranks take BN statistics over the global batch: equal to 1 process (per-rank BN is not)', async () => {
    await tinyDataset(ws, 'tiny-bn');
    const cfg = { dataset: 'tiny-bn', arch: 'dcgan28', batch: 8, zdim: 8, d: { ch: 4 }, g: { ch: 4 }, ndis: 1, steps: 1, sn: { warmup: 2 }, logEvery: 1, sampleEvery: 1, checkpointEvery: 1 } as const;
    const pkg = await makePackage(ws, 'pkg-bn', cfg);
    const runs = async (out: string, args: string[]) => {
      const r = await train(pkg, ['--out', path.join(pkg, out), ...args]);
      expect(r.code, r.stderr).toBe(0);
      return onlyRun(path.join(pkg, out));
    };
    const [one, synced, local] = [await runs('one', []), await runs('synced', ['--nproc', '2']), await runs('local', ['--nproc', '2', '--no-sync-bn'])];
    const loss = async (d: string) => (await metricsOf(d))[0];
    // G's running statistics after its training forwards: what the global batch's statistics made of them
    const bnStats = /^var:G\/.*\/moving_(mean|variance)$/;
    const [c1, cs, cl] = [await checkpointAt(one, 1), await checkpointAt(synced, 1), await checkpointAt(local, 1)];
    const dSynced = maxStateDiff(c1, cs, bnStats);
    const dLocal = maxStateDiff(c1, cl, bnStats);
    const [l1, ls, ll] = [await loss(one), await loss(synced), await loss(local)];
    console.log(`BN in G, 2 ranks vs 1 process: running statistics max |Δ| ${dSynced.toExponential(2)} synced, ${dLocal.toExponential(2)} per rank; |ΔD loss| ${Math.abs(l1.dLoss - ls.dLoss).toExponential(2)} synced, ${Math.abs(l1.dLoss - ll.dLoss).toExponential(2)} per rank; |ΔG loss| ${Math.abs(l1.gLoss - ls.gLoss).toExponential(2)} synced`);
    expect(dSynced).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(l1.dLoss - ls.dLoss)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(l1.gLoss - ls.gLoss)).toBeLessThanOrEqual(1e-5);
    // and the weights every forward/backward through BN produced, but the biases right before a BN (their exact
    // gradient is 0, so Adam's first step moves them by ±lr on float noise)
    const shaping = /^var:(?!G\/.*\/bias$)(?!.*moving_)/;
    expect(maxStateDiff(c1, cs, shaping)).toBeLessThanOrEqual(1e-5);
    // per-rank statistics are another GAN: this test can tell them apart
    expect(dLocal).toBeGreaterThan(1e-4);
  }, 180_000); // three trainings, two of them on 2 ranks

  it('a rank that dies fails the job: non-zero exit, status failed with that rank\'s error', async () => {
    const pkg = await makePackage(ws, 'pkg-die', { ...toy, steps: 4 });
    const r = await train(pkg, ['--nproc', '2'], { SNGAN_TEST_FAULT: '1:2:raise' });
    expect(r.code).not.toBe(0);
    const run = await openRun(await onlyRun(path.join(pkg, 'runs')));
    expect(run.status.state).toBe('failed');
    expect(run.status.error).toContain('rank 1: test fault on rank 1 at step 2');
    const errors = (await readMetrics(run.dir)).filter((e) => e.type === 'error');
    expect(errors[0]?.message).toContain('rank 1');
  });

  it('SIGTERM stops both ranks at the same step with a checkpoint there (exit 0, status stopped); --resume goes on from it', async () => {
    const pkg = await makePackage(ws, 'pkg-term', { ...toy, steps: 1_000_000, sampleEvery: 100_000, checkpointEvery: 100_000 });
    const runs = path.join(pkg, 'runs');
    const r = await train(pkg, ['--nproc', '2'], {}, (child) => {
      // Stop once a few steps are logged: the request lands mid-run, at a step no schedule checkpoints.
      const poll = setInterval(() => {
        void fs.readdir(runs).then(async ([id]) => {
          const log = id ? await fs.readFile(path.join(runs, id, 'metrics.jsonl'), 'utf8').catch(() => '') : '';
          if ((log.match(/"type": ?"metrics"/g) ?? []).length >= 3) {
            clearInterval(poll);
            child.kill('SIGTERM');
          }
        }).catch(() => undefined);
      }, 50);
    });
    expect(r.code, r.stderr).toBe(0);
    const dir = await onlyRun(runs);
    const run = await openRun(dir);
    expect(run.status.state).toBe('stopped');
    const stoppedAt = run.status.step;
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect((await fs.readdir(path.join(dir, 'checkpoints'))).filter((n) => n.endsWith('.ckpt'))).toEqual([`step-${stoppedAt}.ckpt`]);
    const resumed = await train(pkg, ['--resume', dir, '--steps', String(stoppedAt + 2), '--nproc', '2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await openRun(dir)).status.state).toBe('finished');
    expect((await metricsOf(dir)).map((e) => e.step).slice(-3)).toEqual([stoppedAt, stoppedAt + 1, stoppedAt + 2]);
  });
});

describe.skipIf(missing !== null)('PyTorch package: resume', () => {
  const cfg = { dataset: 'tiny', arch: 'dcgan28', conditional: true, batch: 8, zdim: 8, d: { ch: 4 }, g: { ch: 4 }, steps: 6, ema: { enabled: true, decay: 0.9 }, logEvery: 1, sampleEvery: 3, checkpointEvery: 2, sn: { warmup: 2 } } as const;
  let pkg = '';
  let whole = '';

  beforeAll(async () => {
    await tinyDataset(ws);
    pkg = await makePackage(ws, 'pkg-img', cfg);
    const r = await train(pkg, ['--out', path.join(pkg, 'whole')]);
    if (r.code !== 0) throw new Error(r.stderr);
    whole = await onlyRun(path.join(pkg, 'whole'));
  }, 120_000);

  it('a run killed at step 5 resumes from its step-4 checkpoint to exactly the uninterrupted result', async () => {
    const killed = await train(pkg, ['--out', path.join(pkg, 'killed')], { SNGAN_TEST_FAULT: '0:5:kill' });
    expect(killed.signal ?? killed.code).toBe('SIGKILL');
    const dir = await onlyRun(path.join(pkg, 'killed'));
    expect((await openRun(dir)).status.state).toBe('running'); // the app reads this as interrupted
    const resumed = await train(pkg, ['--out', path.join(pkg, 'killed'), '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await openRun(dir)).status.state).toBe('finished');
    const d = maxStateDiff(await checkpointAt(whole, 6), await checkpointAt(dir, 6));
    console.log(`resume after kill vs uninterrupted, step 6: max |Δ| over every tensor = ${d}`);
    expect(d).toBe(0);
    const [ma, mb] = [await metricsOf(whole), await metricsOf(dir)];
    expect(mb.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mb.map((e) => e.dLoss)).toEqual(ma.map((e) => e.dLoss));
  });

});
