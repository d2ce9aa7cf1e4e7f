#!/usr/bin/env node
// Runs the built CLI (out/node/cli.js). Build it first with `npm run build`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'node', 'cli.js');
if (!existsSync(cli)) {
  console.error('sngan-studio: the CLI is not built yet. Run `npm run build` in the app folder first.');
  process.exit(1);
}
const args = process.argv.slice(2);

// `import` decodes images on libuv's thread pool (sharp), which has 4 threads unless UV_THREADPOOL_SIZE is set
// before the pool starts — and by the time an ES module runs, Node's loader has started it. On a machine with
// more cores, run the import in a child whose pool has one thread per core.
const cores = availableParallelism();
if (args[0] === 'import' && cores > 4 && !process.env.UV_THREADPOOL_SIZE) {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: String(Math.min(cores, 64)) },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    console.error(`sngan-studio: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
  });
} else {
  const { main } = await import(pathToFileURL(cli).href);
  process.exitCode = await main(args);
}
