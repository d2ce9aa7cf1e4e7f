/**
 * Picks the fastest tfjs backend that actually works here, and says which and why:
 *   tfjs-node-gpu > tfjs-node > webgpu > wasm (+ missing kernels) > cpu.
 * At most one of tfjs-node-gpu / tfjs-node is ever loaded (they share the 'tensorflow'
 * backend name and native symbols). tf.setBackend() reports failure by returning false,
 * so every result is checked.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { registerMissingWasmKernels } from './wasm-kernels/index';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export interface BackendAttempt { name: string; error?: string }
export interface BackendResult { name: string; reason: string; tried: BackendAttempt[] }
export interface InitBackendOptions {
  /** Use exactly this backend; throws if it cannot be initialised. */
  force?: BackendName;
  /** wasm threads: 'auto' probes the threaded build in a child process (default). */
  wasmThreads?: 'auto' | boolean;
}

const ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
const req = createRequire(import.meta.url);
let last: BackendResult | null = null;
let nativeLoaded: 'tensorflow-gpu' | 'tensorflow' | null = null;
let threadProbe: { ok: boolean; detail: string } | null = null;

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);
/** Import by a computed specifier so bundlers and tsc leave optional packages alone. */
const importOptional = (spec: string): Promise<unknown> => import(/* @vite-ignore */ spec);

async function activate(name: string): Promise<void> {
  if (!tf.findBackendFactory(name)) throw new Error(`backend '${name}' not registered with this tfjs-core (version mismatch?)`);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  // A real op proves the backend computes, not just that it constructed.
  const v = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  if (v !== 3) throw new Error(`backend '${name}' computed 1+2=${v}`);
}

async function tryNative(which: 'tensorflow-gpu' | 'tensorflow'): Promise<string> {
  if (nativeLoaded && nativeLoaded !== which) {
    throw new Error(`skipped: ${nativeLoaded === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'} already loaded (loading both is unsafe)`);
  }
  const pkg = which === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  if (!nativeLoaded) {
    try { req.resolve(pkg); } catch { throw new Error(`${pkg} not installed`); }
    await importOptional(pkg); // may throw: missing libtensorflow / CUDA
    nativeLoaded = which;
  }
  await activate('tensorflow');
  return which === 'tensorflow-gpu' ? `${pkg} (libtensorflow with CUDA)` : `${pkg} (native libtensorflow, CPU)`;
}

async function tryWebgpu(): Promise<string> {
  let dawn: { create?: (o: string[]) => unknown; globals?: object };
  try { dawn = (await importOptional('webgpu')) as typeof dawn; } catch { throw new Error('webgpu package not installed'); }
  try { await importOptional('@tensorflow/tfjs-backend-webgpu'); } catch { throw new Error('@tensorflow/tfjs-backend-webgpu not installed'); }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (dawn.globals) Object.assign(globalThis, dawn.globals);
  if (!g.navigator?.gpu && dawn.create) {
    const nav = g.navigator ?? {};
    Object.defineProperty(nav, 'gpu', { value: dawn.create([]), configurable: true });
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true });
  }
  await activate('webgpu');
  return 'WebGPU via Dawn (webgpu package)';
}

function wasmDir(): string {
  return path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

/** tfjs 4.22 disables wasm threads in Node and its threaded build spawns blob: workers, which Node rejects.
 *  Probe in a child process so a crash there cannot take this process down. */
function probeWasmThreads(): { ok: boolean; detail: string } {
  if (threadProbe) return threadProbe;
  // Inside Electron process.execPath is the app itself, and with the RunAsNode fuse off it cannot run as Node.
  if (process.versions.electron) return (threadProbe = { ok: false, detail: 'not probed inside Electron' });
  const n = os.cpus().length;
  const script = `
    const tf = require(${JSON.stringify(req.resolve('@tensorflow/tfjs'))});
    const w = require(${JSON.stringify(req.resolve('@tensorflow/tfjs-backend-wasm'))});
    process.on('uncaughtException', e => { console.log('FAIL ' + String(e && e.message || e).split('\\n')[0]); process.exit(2); });
    w.setWasmPaths(${JSON.stringify(wasmDir())});
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    w.setThreadsCount(${n});
    tf.setBackend('wasm').then(ok => {
      if (!ok) { console.log('FAIL setBackend false'); process.exit(2); }
      const a = tf.ones([64, 64]); tf.matMul(a, a).dataSync();
      console.log('OK ' + w.getThreadsCount()); process.exit(0);
    }, e => { console.log('FAIL ' + e.message); process.exit(2); });`;
  const r = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8', timeout: 20_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const line = (r.stdout || '').trim().split('\n').pop() ?? '';
  threadProbe = line.startsWith('OK')
    ? { ok: true, detail: `${line.slice(3)} threads` }
    : { ok: false, detail: (line.replace(/^FAIL /, '') || r.error?.message || `exit ${r.status}`) +
        (/ERR_WORKER_PATH/.test(r.stderr || '') ? ' — Node worker_threads rejects its blob: worker URL' : '') };
  return threadProbe;
}

async function tryWasm(threads: 'auto' | boolean): Promise<string> {
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  let threadNote = 'single-threaded';
  if (isNode) {
    setWasmPaths(wasmDir());
    const want = threads === 'auto' ? probeWasmThreads() : { ok: threads, detail: threads ? 'forced on' : 'disabled by option' };
    if (want.ok && os.cpus().length > 1) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      setThreadsCount(os.cpus().length);
      threadNote = `threaded-simd build, ${os.cpus().length} threads`;
    } else {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      threadNote = `single-threaded (threaded build unusable in Node: ${want.detail})`;
    }
  }
  const added = registerMissingWasmKernels();
  await activate('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `wasm ${simd ? 'simd' : 'plain'} build, ${threadNote}; kernels added/replaced: ${added.join(', ') || 'none needed'}`;
}

async function tryOne(name: BackendName, o: InitBackendOptions): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu': case 'tensorflow': return tryNative(name);
    case 'webgpu': return tryWebgpu();
    case 'wasm': return tryWasm(o.wasmThreads ?? 'auto');
    case 'cpu': await activate('cpu'); return 'pure-JS cpu backend (slow)';
  }
}

export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendResult> {
  const tried: BackendAttempt[] = [];
  const order = opts.force ? [opts.force] : ORDER;
  for (const name of order) {
    try {
      const how = await tryOne(name, opts);
      tried.push({ name });
      const skipped = tried.filter((t) => t.error).map((t) => `${t.name}: ${t.error}`);
      const reason = opts.force
        ? `forced: ${how}`
        : skipped.length ? `${how}; skipped ${skipped.join('; ')}` : how;
      last = { name, reason, tried };
      return last;
    } catch (e) {
      tried.push({ name, error: msg(e) });
    }
  }
  const detail = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  throw new Error(opts.force ? `forced backend '${opts.force}' failed: ${detail}` : `no tfjs backend works: ${detail}`);
}

/** The result of the last successful initBackend(), or null. */
export function backendInfo(): BackendResult | null {
  return last;
}
