// Bundles the Node entry points (CLI, trainer worker, backend probe) into out/node/ as ES modules.
// Dependencies stay external: they are installed next to the app (and native ones cannot be bundled).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = {
  cli: 'main/cli.ts',
  worker: 'main/engine/trainer/worker.ts',
  // worker_threads entry started by the trainer (spectra-runner.ts finds it beside the worker bundle)
  'spectra-worker': 'main/engine/trainer/spectra-worker.ts',
  probe: 'main/engine/probe.ts',
  importer: 'main/datasets/import-worker.ts',
  bench: 'bench/index.ts',
  'trainer-entry': 'main/electron/trainer-entry.ts',
};

await build({
  entryPoints: Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(src))),
  outdir: 'out/node',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
