/**
 * `npm run bench [-- --json] [--only cnn32,dcgan28,mlp2d,sn-overhead,sample] [--repeats N] [--all-backends] [--no-torch]`
 * Training-iteration speed (one D step + one G step) of the SN-GAN models on the active tfjs backend,
 * SN overhead, sample throughput, peak RSS and tensor growth — and, where PyTorch is available
 * (Debian's python3-torch), the same iteration in PyTorch measured in the same run, as a ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../main/engine/backend';
import { Trainer } from '../main/engine/trainer/trainer';
import { dataSource } from '../main/engine/trainer/data';
import { parseConfig, type TrainConfigInput } from '../shared/config';
import { parseFlags } from '../main/cli/args';

interface Result {
  name: string;
  backend: string;
  median_ms: number;
  p10_ms: number;
  p90_ms: number;
  peak_rss_mb: number;
  repeats: number;
  [extra: string]: unknown;
}

const here = dirname(fileURLToPath(import.meta.url));

function quantiles(times: number[]): { median: number; p10: number; p90: number } {
  const s = [...times].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))]!;
  return { median: q(0.5), p10: q(0.1), p90: q(0.9) };
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function images(width: number, channels: 1 | 3, count = 256) {
  const pixels = new Uint8Array(count * width * width * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return dataSource({ kind: 'images', id: 'bench', width, height: width, channels, count, pixels, classes: [] });
}

function ring() {
  return dataSource({
    kind: 'points',
    id: 'bench-ring',
    classes: [],
    modes: [[2, 0]],
    std: 0.02,
    sample: (n, rng) => Float32Array.from({ length: n * 2 }, () => rng() * 2 - 1),
  });
}

const MODELS: Record<string, { config: TrainConfigInput; data: () => ReturnType<typeof images> }> = {
  cnn32: { config: { arch: 'cnn32', batch: 64, zdim: 128 }, data: () => images(32, 3) },
  dcgan28: { config: { arch: 'dcgan28', batch: 64, zdim: 128 }, data: () => images(28, 1) },
  mlp2d: { config: { arch: 'mlp', batch: 256, zdim: 2 }, data: ring },
};

function timeIterations(name: string, norm: 'sn' | 'none', warmup: number, repeats: number, backend: string): Result {
  const m = MODELS[name]!;
  const config = parseConfig({ ...m.config, loss: 'hinge', preset: 'C', ndis: 1, seed: 1, d: { norm }, sn: { iters: 1 } });
  const trainer = new Trainer(config, m.data());
  for (let i = 0; i < warmup; i++) trainer.trainStep();
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    trainer.trainStep();
    times.push(performance.now() - t);
  }
  const tensorGrowth = tf.memory().numTensors - tensorsBefore;
  trainer.dispose();
  const q = quantiles(times);
  return { name: norm === 'sn' ? name : `${name}-nosn`, backend, median_ms: q.median, p10_ms: q.p10, p90_ms: q.p90, peak_rss_mb: peakRssMb(), repeats, tensor_growth: tensorGrowth };
}

async function sampleThroughput(backend: string, repeats: number): Promise<Result> {
  const config = parseConfig({ ...MODELS.cnn32!.config, seed: 1 });
  const trainer = new Trainer(config, MODELS.cnn32!.data());
  const n = 256;
  await trainer.generate(n);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await trainer.generate(n);
    times.push(performance.now() - t);
  }
  trainer.dispose();
  const q = quantiles(times);
  return { name: 'sample-cnn32', backend, median_ms: q.median, p10_ms: q.p10, p90_ms: q.p90, peak_rss_mb: peakRssMb(), repeats, images_per_sec: (n * 1000) / q.median };
}

function torchReference(only: string[], repeats: number): Result[] {
  // Beside this file in the source tree; from the bundle in out/node/, in the repo's bench/.
  const script = [join(here, 'torch_reference.py'), join(here, '..', '..', 'bench', 'torch_reference.py')].find((p) => existsSync(p));
  if (!script) return [];
  const python = process.env.SNGAN_TORCH_PYTHON ?? '/usr/bin/python3';
  if (!existsSync(python)) return [];
  const names = only.filter((n) => MODELS[n]);
  if (!names.length) return [];
  const args = [script, '--only', names.join(','), '--repeats', String(repeats)];
  if (only.includes('sn-overhead')) args.push('--no-sn');
  const r = spawnSync(python, args, { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) {
    console.error(`[bench] PyTorch reference unavailable: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
    return [];
  }
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Result);
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2), { json: 'boolean', only: 'string', repeats: 'string', warmup: 'string', 'all-backends': 'boolean', 'no-torch': 'boolean' });
  const only = String(flags.only ?? 'cnn32,dcgan28,mlp2d,sn-overhead,sample').split(',');
  const repeats = Number(flags.repeats ?? 3);
  const warmup = Number(flags.warmup ?? 1);
  const json = Boolean(flags.json);
  const out = (r: Result) => {
    if (json) console.log(JSON.stringify(r));
    else console.log(`${r.name.padEnd(16)} ${r.backend.padEnd(28)} median ${r.median_ms.toFixed(1).padStart(9)} ms  (p10 ${r.p10_ms.toFixed(1)}, p90 ${r.p90_ms.toFixed(1)})  rss ${r.peak_rss_mb.toFixed(0)} MB${r.ratio_vs_pytorch ? `  ratio vs PyTorch ${Number(r.ratio_vs_pytorch).toFixed(2)}` : ''}${r.tensor_growth !== undefined ? `  tensor growth ${r.tensor_growth}` : ''}`);
  };

  const torch = flags['no-torch'] ? [] : torchReference(only, repeats);
  for (const t of torch) out(t);

  const backends = flags['all-backends'] ? (['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm'] as const) : ([undefined] as const);
  for (const force of backends) {
    const info = await initBackend(force ? { force } : undefined).catch((e: Error) => ({ name: 'unavailable', reason: e.message }));
    if (info.name === 'unavailable' || (force && info.name !== force)) {
      console.error(`[bench] backend ${force ?? 'auto'} unavailable: ${info.reason}`);
      continue;
    }
    const backend = tf.getBackend();
    for (const name of ['cnn32', 'dcgan28', 'mlp2d']) {
      if (!only.includes(name)) continue;
      const reps = name === 'mlp2d' ? repeats * 20 : repeats;
      const r = timeIterations(name, 'sn', warmup, reps, backend);
      const peer = torch.find((t) => t.name === name);
      if (peer) r.ratio_vs_pytorch = r.median_ms / peer.median_ms;
      out(r);
      if (only.includes('sn-overhead')) {
        const plain = timeIterations(name, 'none', warmup, reps, backend);
        plain.sn_overhead = r.median_ms / plain.median_ms - 1;
        const peerPlain = torch.find((t) => t.name === `${name}-nosn`);
        if (peerPlain) plain.ratio_vs_pytorch = plain.median_ms / peerPlain.median_ms;
        out(plain);
      }
    }
    if (only.includes('sample')) out(await sampleThroughput(backend, repeats));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
