// Bundles the Node entry points (CLI, trainer worker, backend probe) into out/node/ as ES modules.
// Dependencies stay external: they are installed next to the app (and native ones cannot be bundled).
import { build } from 'esbuild';
import { cpSync, existsSync, rmSync } from 'node:fs';

const entries = {
  cli: 'main/cli.ts',
  worker: 'main/processes/trainer.ts',
  // worker_threads entry started by the trainer (processes/entries.ts finds it beside the worker bundle)
  'spectra-worker': 'main/processes/spectra-worker.ts',
  probe: 'main/processes/probe.ts',
  importer: 'main/processes/import.ts',
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

// The PyTorch package's Python sources and the PyTorch export's loader (main/torch/assets.ts finds them here).
rmSync('out/torch', { recursive: true, force: true });
for (const sub of ['python', 'export']) {
  if (existsSync(`main/torch/${sub}`)) cpSync(`main/torch/${sub}`, `out/torch/${sub}`, { recursive: true, filter: (src) => !src.includes('__pycache__') });
}
