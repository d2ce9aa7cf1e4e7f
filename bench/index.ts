/**
 * `npm run bench [-- --json] [--only cnn32,dcgan28,mlp2d,resnet32,sn-overhead,aug-overhead,sample,peak] [--repeats N] [--threads 1,2]
 *                [--engines tfjs,onnxruntime] [--torch-python PATH] [--tf-python PATH] [--no-torch] [--all-backends] [--resnet-ch N]`
 * resnet32 (the paper's ResNet and recipe: n_dis 5, G batch 128) runs only when --only names it: at the paper's width an
 * iteration takes minutes on a small CPU; --resnet-ch sets both networks' width.
 * Training-iteration speed (one D step + one G step) of the SN-GAN models on the active tfjs backend and with the
 * step compiled for onnxruntime (engine/onnx-step/: compile_ms for the first step apart, ratio_vs_wasm), achieved
 * GFLOP/s (FLOPs counted once per model from the kernels an iteration runs, flops.ts) and the share of a measured
 * machine peak (a large matrix product on the same backend and threads), SN overhead, DiffAugment overhead
 * (aug-overhead: the same iteration with color, translation, cutout on reals and fakes), sample throughput, peak RSS
 * and tensor growth; and the same iterations in PyTorch (bench/torch_reference.py; Debian's python3-torch by
 * default, or --torch-python a venv with a modern torch) and TensorFlow 2 CPU (bench/tf_reference.py, with
 * --tf-python a Python that has tensorflow), in the same run at the same thread count, as ratios.
 * Each thread count runs in a child process of its own: a process has one wasm module.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../main/engine/backend';
import { Trainer } from '../main/engine/trainer/trainer';
import { dataSource } from '../main/engine/trainer/data';
import { parseConfig, type TrainConfigInput } from '../shared/config';
import { parseFlags } from '../main/cli/args';
import { flopsOf } from './flops';

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

/** One iteration = one D step and one G step (preset C), except the ResNet: the paper's recipe (n_dis 5, G batch 128). */
const MODELS: Record<string, { config: TrainConfigInput; data: () => ReturnType<typeof images> }> = {
  cnn32: { config: { arch: 'cnn32', batch: 64, zdim: 128, preset: 'C', ndis: 1 }, data: () => images(32, 3) },
  dcgan28: { config: { arch: 'dcgan28', batch: 64, zdim: 128, preset: 'C', ndis: 1 }, data: () => images(28, 1) },
  mlp2d: { config: { arch: 'mlp', batch: 256, zdim: 2, preset: 'C', ndis: 1 }, data: ring },
  resnet32: { config: { arch: 'resnet32', batch: 64, zdim: 128, preset: 'resnet' }, data: () => images(32, 3) },
};
/** The ResNet's width (--resnet-ch; 0 = the paper's, G 256 and D 128 channels). */
let resnetCh = 0;

/** FLOPs of one iteration per model and norm, counted once off the tfjs kernel profile (the same for either engine). */
const flopCache = new Map<string, number>();

async function timeIterations(
  name: string, norm: 'sn' | 'none', warmup: number, repeats: number, backend: string, aug: 'off' | 'diffaugment' = 'off', engine: 'tfjs' | 'onnxruntime' = 'tfjs', threads = 0,
): Promise<Result> {
  const m = MODELS[name]!;
  // augmentation explicit: 'auto' would turn DiffAugment on for the 256 bench images
  const ch = name === 'resnet32' && resnetCh ? resnetCh : 0;
  const config = parseConfig({ ...m.config, loss: 'hinge', seed: 1, d: { norm, ch }, g: { ch }, sn: { iters: 1 }, aug: { mode: aug }, engine, threads });
  const trainer = new Trainer(config, m.data());
  const step = engine === 'tfjs' ? async () => void trainer.trainStep() : async () => void (await trainer.advance());
  // the compiled engine's first step traces and compiles: timed apart, as compile_ms
  const t0 = performance.now();
  await step();
  const firstMs = performance.now() - t0;
  for (let i = 1; i < warmup; i++) await step();
  const key = `${name}/${norm}/${aug}`;
  if (!flopCache.has(key)) {
    const probe = engine === 'tfjs' ? trainer : new Trainer({ ...config, engine: 'tfjs' }, m.data());
    flopCache.set(key, await flopsOf(() => void probe.trainStep()));
    if (probe !== trainer) probe.dispose();
  }
  const flops = flopCache.get(key)!;
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  if (engine === 'onnxruntime' && trainer.engine.engine !== 'onnxruntime') throw new Error(`bench ${name}: onnxruntime engine fell back: ${trainer.engine.reason}`);
  const tensorGrowth = tf.memory().numTensors - tensorsBefore;
  const guard = norm === 'sn' && engine === 'tfjs' ? nanGuardMs(trainer) : undefined;
  const engineReason = trainer.engine.reason;
  trainer.dispose();
  const q = quantiles(times);
  return {
    name: `${name}${norm === 'sn' ? '' : '-nosn'}${aug === 'off' ? '' : '-diffaug'}`, engine, ...(engine === 'onnxruntime' ? { compile_ms: firstMs, engine_reason: engineReason } : {}),
    backend: engine === 'onnxruntime' ? `onnxruntime-${threads || 'all'}t` : backend, median_ms: q.median, p10_ms: q.p10, p90_ms: q.p90, peak_rss_mb: peakRssMb(), repeats, tensor_growth: tensorGrowth,
    gflop_per_iter: flops / 1e9, gflops: flops / 1e6 / q.median,
    ...(guard !== undefined ? { nan_guard_ms: guard, nan_guard_share: guard / q.median } : {}),
  };
}

/**
 * What the trainer's NaN guard costs per iteration (trainer.ts: per D and G update, one |·|-sum over every
 * gradient and three scalar reads): the same reductions over tensors shaped like D's and G's weights, timed alone.
 */
function nanGuardMs(trainer: Trainer): number {
  const shapes = [...trainer.D.params.trainable(), ...trainer.G.params.trainable()].map((v) => v.shape);
  const grads = shapes.map((s) => tf.randomNormal(s));
  const scalars = [tf.scalar(1), tf.scalar(2), tf.scalar(3)];
  const once = () => {
    tf.tidy(() => tf.addN(grads.map((g) => tf.sum(tf.abs(g)))).dataSync());
    for (const x of scalars) x.dataSync();
  };
  once();
  const t = performance.now();
  for (let i = 0; i < 5; i++) once();
  tf.dispose([...grads, ...scalars]);
  return (performance.now() - t) / 5;
}

/**
 * The backend's attainable rate on this machine: the convolution shape the models use most (4×4, stride 2,
 * 128 → 128 channels, batch 64, 16×16), on the same threads, best of 5.
 */
function machinePeak(backend: string): Result {
  const x = tf.randomUniform([64, 16, 16, 128], -1, 1) as tf.Tensor4D;
  const w = tf.randomUniform([4, 4, 128, 128], -0.05, 0.05) as tf.Tensor4D;
  const flops = 2 * 64 * 8 * 8 * 128 * 128 * 16;
  const run = () => {
    const y = tf.conv2d(x, w, 2, 'same');
    y.dataSync();
    y.dispose();
  };
  run();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  tf.dispose([x, w]);
  const q = quantiles(times);
  return { name: 'peak-conv', backend, median_ms: q.median, p10_ms: q.p10, p90_ms: q.p90, peak_rss_mb: peakRssMb(), repeats: 5, gflops: flops / 1e6 / Math.min(...times) };
}

async function sampleThroughput(backend: string, repeats: number): Promise<Result> {
  const config = parseConfig({ ...MODELS.cnn32!.config, seed: 1, aug: { mode: 'off' } });
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

/** A Python peer (torch_reference.py / tf_reference.py) at `threads`, as JSON lines; [] when it is unavailable. */
function pythonPeer(kind: 'pytorch' | 'tensorflow', python: string | undefined, only: string[], repeats: number, threads: number): Result[] {
  const file = kind === 'pytorch' ? 'torch_reference.py' : 'tf_reference.py';
  // Beside this file in the source tree; from the bundle in out/node/, in the repo's bench/.
  const script = [join(here, file), join(here, '..', '..', 'bench', file)].find((p) => existsSync(p));
  if (!script || !python || !existsSync(python)) return [];
  // the peers implement the standard CNN, the 28×28 model and the MLP, not the ResNet
  const names = only.filter((n) => MODELS[n] && n !== 'resnet32');
  if (!names.length) return [];
  const args = [script, '--only', names.join(','), '--repeats', String(repeats), '--threads', String(threads)];
  if (only.includes('sn-overhead')) args.push('--no-sn');
  const r = spawnSync(python, args, { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) {
    console.error(`[bench] ${kind} reference unavailable: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
    return [];
  }
  return r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => ({ ...(JSON.parse(l) as Result), peer: kind, threads }));
}

/** This benchmark at one thread count, in a child process (one wasm module per process). */
function childRun(argv: string[], threads: number): Result[] {
  const self = fileURLToPath(import.meta.url);
  const execArgv = self.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const r = spawnSync(process.execPath, [...execArgv, self, ...argv, '--threads', String(threads), '--json', '--no-torch', '--no-tf', '--child'], { encoding: 'utf8', timeout: 60 * 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`bench child (threads ${threads}) failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`);
  return r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Result);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { flags } = parseFlags(argv, {
    json: 'boolean', only: 'string', repeats: 'string', warmup: 'string', threads: 'string', engines: 'string', 'all-backends': 'boolean',
    'no-torch': 'boolean', 'no-tf': 'boolean', 'torch-python': 'string', 'tf-python': 'string', child: 'boolean', 'resnet-ch': 'string',
  });
  resnetCh = Number(flags['resnet-ch'] ?? 0);
  const only = String(flags.only ?? 'cnn32,dcgan28,mlp2d,sn-overhead,sample,peak').split(',');
  const repeats = Number(flags.repeats ?? 3);
  const warmup = Number(flags.warmup ?? 1);
  const json = Boolean(flags.json);
  const threadList = String(flags.threads ?? '0').split(',').map(Number);
  const out = (r: Result) => {
    if (json) console.log(JSON.stringify(r));
    else {
      const ratios = ['ratio_vs_tensorflow', 'ratio_vs_pytorch'].filter((k) => typeof r[k] === 'number').map((k) => `${k.replace('ratio_vs_', 'vs ')} ${Number(r[k]).toFixed(2)}`);
      console.log(
        `${r.name.padEnd(18)} ${String(r.backend).padEnd(34)} median ${r.median_ms.toFixed(1).padStart(9)} ms  (p10 ${r.p10_ms.toFixed(1)}, p90 ${r.p90_ms.toFixed(1)})` +
          `${typeof r.gflops === 'number' ? `  ${r.gflops.toFixed(1)} GFLOP/s` : ''}${typeof r.peak_fraction === 'number' ? ` (${(100 * r.peak_fraction).toFixed(0)} % of peak)` : ''}` +
          `  rss ${r.peak_rss_mb.toFixed(0)} MB${ratios.length ? `  ${ratios.join(', ')}` : ''}${r.tensor_growth !== undefined ? `  tensor growth ${r.tensor_growth}` : ''}`,
      );
    }
  };

  // The parent: one child per thread count, then the peers at the same thread counts, then the ratios.
  if (!flags.child) {
    const passOn = argv.filter((a, i) => !['--threads', '--json', '--torch-python', '--tf-python', '--no-torch', '--no-tf'].includes(a) && !['--threads', '--torch-python', '--tf-python'].includes(argv[i - 1] ?? ''));
    const torchPython = flags['no-torch'] ? undefined : String(flags['torch-python'] ?? process.env.SNGAN_TORCH_PYTHON ?? '/usr/bin/python3');
    const tfPython = flags['no-tf'] ? undefined : (flags['tf-python'] as string | undefined) ?? process.env.SNGAN_TF_PYTHON;
    for (const n of threadList) {
      const app = childRun(passOn, n);
      const threads = Number(app.find((r) => typeof r.threads === 'number')?.threads ?? n);
      const peers = [...pythonPeer('tensorflow', tfPython, only, repeats, threads), ...pythonPeer('pytorch', torchPython, only, repeats, threads)];
      for (const p of peers) out(p);
      const peak = app.find((r) => r.name.startsWith('peak-'));
      for (const r of app) {
        for (const p of peers.filter((q) => q.name === r.name)) r[`ratio_vs_${p.peer}`] = r.median_ms / p.median_ms;
        if (peak && typeof r.gflops === 'number' && r !== peak) r.peak_fraction = r.gflops / Number(peak.gflops);
        out(r);
      }
    }
    return;
  }

  const wasmThreads = threadList[0]! > 0 ? threadList[0]! : 'auto';
  // the training step's engines: tfjs (the wasm backend) and the compiled step in onnxruntime
  const engines = String(flags.engines ?? 'tfjs,onnxruntime').split(',');
  const backends = flags['all-backends'] ? (['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm'] as const) : ([undefined] as const);
  for (const force of backends) {
    const info = await initBackend({ ...(force ? { force } : {}), wasmThreads }).catch((e: Error) => ({ name: 'unavailable', reason: e.message }));
    if (info.name === 'unavailable' || (force && info.name !== force)) {
      console.error(`[bench] backend ${force ?? 'auto'} unavailable: ${info.reason}`);
      continue;
    }
    const threads = tf.getBackend() === 'wasm' ? getThreadsCount() : undefined;
    const backend = `${tf.getBackend()}${threads ? `-${threads}t` : ''}`;
    const tag = (r: Result) => ({ ...r, threads, backend_reason: info.reason });
    if (only.includes('peak')) out(tag(machinePeak(backend)));
    for (const name of ['cnn32', 'dcgan28', 'mlp2d', 'resnet32']) {
      if (!only.includes(name)) continue;
      const reps = name === 'mlp2d' ? repeats * 20 : repeats;
      const r = await timeIterations(name, 'sn', warmup, reps, backend);
      if (engines.includes('tfjs')) out(tag(r));
      let ortPlain: Result | null = null;
      if (engines.includes('onnxruntime')) {
        ortPlain = await timeIterations(name, 'sn', Math.max(warmup, 2), reps, backend, 'off', 'onnxruntime', threads ?? 0);
        ortPlain.ratio_vs_wasm = ortPlain.median_ms / r.median_ms;
        out(tag(ortPlain));
      }
      if (only.includes('sn-overhead')) {
        const plain = await timeIterations(name, 'none', warmup, reps, backend);
        plain.sn_overhead = r.median_ms / plain.median_ms - 1;
        out(tag(plain));
      }
      if (only.includes('aug-overhead') && name !== 'mlp2d') {
        if (engines.includes('tfjs')) {
          const augd = await timeIterations(name, 'sn', warmup, reps, backend, 'diffaugment');
          augd.aug_overhead = augd.median_ms / r.median_ms - 1;
          out(tag(augd));
        }
        if (engines.includes('onnxruntime') && ortPlain) {
          const augo = await timeIterations(name, 'sn', Math.max(warmup, 2), reps, backend, 'diffaugment', 'onnxruntime', threads ?? 0);
          augo.aug_overhead = augo.median_ms / ortPlain.median_ms - 1;
          out(tag(augo));
        }
      }
    }
    if (only.includes('sample')) out(tag(await sampleThroughput(backend, repeats)));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
