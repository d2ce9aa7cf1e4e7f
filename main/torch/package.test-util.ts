/** Test support: a tiny stored dataset, packages written by the real writer, and train.py runs in them. */
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseConfig, type TrainConfigInput } from '../../shared/config';
import { decodeCheckpoint } from '../engine/trainer/checkpoint';
import type { TrainerState } from '../engine/trainer/state';
import { Rng } from '../engine/trainer/rng';
import { writePackage } from './package';
import { runPython, type PyResult } from './python.test-util';

/** <ws>/datasets/<id>/: `count` random 28×28 grey images in two classes, stored as the app stores datasets. */
export async function tinyDataset(ws: string, id = 'tiny', count = 64): Promise<string> {
  const dir = path.join(ws, 'datasets', id);
  await fs.mkdir(dir, { recursive: true });
  const r = new Rng(3);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 2);
  await fs.writeFile(path.join(dir, 'images.u8'), Uint8Array.from({ length: count * 784 }, () => r.int(256)));
  await fs.writeFile(path.join(dir, 'labels.u8'), labels);
  const manifest = {
    version: 1, id, name: id, kind: 'images', count, width: 28, height: 28, channels: 1, classes: ['even', 'odd'], classCounts: [count / 2, count / 2],
    hasLabels: true, preprocessing: { size: 28, fit: 'crop', channels: 1 }, source: { kinds: ['procedural'], paths: [] }, hash: 'x',
    createdAt: new Date().toISOString(), files: { images: 'images.u8', labels: 'labels.u8' }, skipped: 0,
  };
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return id;
}

export async function makePackage(ws: string, name: string, cfg: TrainConfigInput, from?: { run: string; step: number; bytes: Uint8Array }): Promise<string> {
  const out = path.join(ws, name);
  await writePackage({ config: parseConfig(cfg), workspace: ws, out, from });
  return out;
}

/** python3 PKG/train.py ARGS, runs under PKG/runs (or --out). */
export function train(pkg: string, args: string[] = [], env: Record<string, string> = {}, onStart?: (child: ChildProcess) => void): Promise<PyResult> {
  return runPython([path.join(pkg, 'train.py'), '--device', 'cpu', ...args], { cwd: pkg, env, timeoutMs: 120_000, onStart });
}

export async function onlyRun(runs: string): Promise<string> {
  const names = (await fs.readdir(runs)).filter((n) => !n.startsWith('.'));
  if (names.length !== 1) throw new Error(`expected one run in ${runs}, found ${names.join(', ')}`);
  return path.join(runs, names[0]);
}

export async function checkpointAt(runDir: string, step: number): Promise<TrainerState> {
  return decodeCheckpoint(new Uint8Array(await fs.readFile(path.join(runDir, 'checkpoints', `step-${step}.ckpt`)))).state;
}

/** Every tensor of two checkpoints, by its prefixed name (var:, sn_u:, sn_v:, adam*_m/v:, ema:). */
export function tensors(s: TrainerState): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const [k, v] of Object.entries(s.vars)) m.set(`var:${k}`, v);
  for (const [k, v] of Object.entries(s.sn)) {
    m.set(`sn_u:${k}`, v.u);
    m.set(`sn_v:${k}`, v.v);
  }
  for (const [tag, a] of [['adamG', s.adamG], ['adamD', s.adamD]] as const) {
    for (const [k, v] of Object.entries(a.m)) {
      m.set(`${tag}_m:${k}`, v);
      m.set(`${tag}_v:${k}`, a.v[k]!);
    }
  }
  for (const [k, v] of Object.entries(s.ema ?? {})) m.set(`ema:${k}`, v);
  return m;
}

/** max |a − b| over every tensor the two checkpoints hold (they must hold the same names and sizes). */
export function maxStateDiff(a: TrainerState, b: TrainerState, only?: RegExp): number {
  const ta = tensors(a);
  const tb = tensors(b);
  const names = [...ta.keys()].filter((n) => !only || only.test(n)).sort();
  if (names.join() !== [...tb.keys()].filter((n) => !only || only.test(n)).sort().join()) throw new Error('checkpoints hold different tensors');
  let d = 0;
  for (const n of names) {
    const x = ta.get(n)!;
    const y = tb.get(n)!;
    if (x.length !== y.length) throw new Error(`${n}: ${x.length} vs ${y.length} values`);
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  }
  return d;
}
