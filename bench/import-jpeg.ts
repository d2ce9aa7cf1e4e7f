/**
 * Measure: import a folder of JPEGs of mixed sizes at 64×64 (target ≥ 500 images/s, peak RSS < 1 GB).
 * Usage: [REPEATS=n] [CONCURRENCY=n] npx tsx bench/import-jpeg.ts [count=10000] [folder]  (the folder is generated once and reused)
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { importDataset } from '../main/datasets/import';

const count = Number(process.argv[2] ?? 10_000);
const folder = process.argv[3] ?? join(tmpdir(), `sngan-bench-jpegs-${count}`);

async function generate(): Promise<void> {
  if (existsSync(folder) && (await readdir(folder, { recursive: true })).filter((f) => String(f).endsWith('.jpg')).length >= count) return;
  const classes = ['a', 'b', 'c', 'd', 'e'];
  for (const c of classes) await mkdir(join(folder, c), { recursive: true });
  // a few distinct noisy "photos" per size, re-encoded with different quality so files differ
  const t0 = performance.now();
  const sizes = [
    [160, 120],
    [320, 240],
    [500, 375],
    [640, 480],
    [256, 256],
    [300, 500],
  ];
  const bases = await Promise.all(
    sizes.map(([w, h]) =>
      sharp({ create: { width: w!, height: h!, channels: 3, background: { r: 90, g: 120, b: 160 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
        .blur(1.5)
        .raw()
        .toBuffer({ resolveWithObject: true }),
    ),
  );
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const b = bases[i % bases.length]!;
    jobs.push(
      sharp(b.data, { raw: b.info })
        .jpeg({ quality: 70 + (i % 25) })
        .toBuffer()
        .then((buf) => writeFile(join(folder, classes[i % classes.length]!, `img-${i}.jpg`), buf)),
    );
    if (jobs.length >= 16) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  console.error(`generated ${count} JPEGs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

await generate();
// REPEATS=n runs the import n times and ends with a median line: the box may be shared, so single runs are noisy.
const repeats = Math.max(1, Number(process.env.REPEATS ?? 1));
const concurrency = process.env.CONCURRENCY ? Number(process.env.CONCURRENCY) : undefined;
const { availableParallelism, loadavg } = await import('node:os');
const runs: { imagesPerSec: number; imagesPerCpuSec: number; load1: number }[] = [];
for (let r = 0; r < repeats; r++) {
  const ws = await mkdtemp(join(tmpdir(), 'sngan-bench-ws-'));
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { manifest, skipped } = await importDataset([folder], { workspace: ws, size: 64, concurrency });
    const sec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSec = (cpu.user + cpu.system) / 1e6;
    const load1 = +loadavg()[0]!.toFixed(1);
    const run = { imagesPerSec: Math.round(manifest.count / sec), imagesPerCpuSec: Math.round(manifest.count / cpuSec), load1 };
    runs.push(run);
    console.log(
      JSON.stringify({
        bench: 'import-jpeg',
        count: manifest.count,
        skipped: skipped.length,
        seconds: +sec.toFixed(2),
        imagesPerSec: run.imagesPerSec,
        shape: [manifest.width, manifest.height, manifest.channels],
        cpuSeconds: +cpuSec.toFixed(1),
        // throughput if this process had every core to itself (the box is shared; see load1)
        imagesPerCpuSec: run.imagesPerCpuSec,
        projectedPerSecOnIdleCores: Math.round(run.imagesPerCpuSec * availableParallelism()),
        load1,
        peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
  } finally {
    await rm(ws, { recursive: true, force: true });
  }
}
if (repeats > 1) {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    JSON.stringify({
      bench: 'import-jpeg-median',
      runs: repeats,
      imagesPerSec: median(runs.map((r) => r.imagesPerSec)),
      imagesPerCpuSec: median(runs.map((r) => r.imagesPerCpuSec)),
      load1: median(runs.map((r) => r.load1)),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}
