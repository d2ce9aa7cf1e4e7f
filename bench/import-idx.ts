/** Measure: import Fashion-MNIST train (60,000 IDX images + labels). Target < 20 s. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDataset } from '../main/datasets/import';

const dir = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const ws = await mkdtemp(join(tmpdir(), 'sngan-bench-idx-'));
try {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { manifest, skipped } = await importDataset([join(dir, 'train-images-idx3-ubyte.gz'), join(dir, 'train-labels-idx1-ubyte.gz')], { workspace: ws });
  const sec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const [load1] = (await import('node:os')).loadavg();
  console.log(
    JSON.stringify({
      bench: 'import-idx',
      seconds: +sec.toFixed(2),
      count: manifest.count,
      shape: [manifest.width, manifest.height, manifest.channels],
      classes: manifest.classes.length,
      classCounts: manifest.classCounts,
      skipped: skipped.length,
      cpuSeconds: +cpuSec.toFixed(1),
      load1: +load1!.toFixed(1),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  await rm(ws, { recursive: true, force: true });
}
