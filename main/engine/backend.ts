/**
 * Picks the fastest tfjs backend that actually works here, and says which and why:
 *   tfjs-node-gpu > tfjs-node > webgpu > wasm (+ missing kernels) > cpu.
 * At most one of tfjs-node-gpu / tfjs-node is ever loaded (they share the 'tensorflow'
 * backend name and native symbols). tf.setBackend() reports failure by returning false,
 * so every result is checked.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { registerMissingWasmKernels } from './wasm-kernels/index';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { disposeWasm, enableSingleThreadedWasm, enableThreadedWasm } from './wasm-threads/shim';
import { runSelfTest } from './wasm-threads/selftest';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export interface BackendAttempt { name: string; error?: string }
export interface BackendResult { name: string; reason: string; tried: BackendAttempt[] }
export interface InitBackendOptions {
  /** Use exactly this backend; throws if it cannot be initialised. */
  force?: BackendName;
  /** wasm threads: 'auto' (default) or ≤ 0 = every core; 1 = the single-threaded build. */
  wasmThreads?: number | 'auto';
  /** The threaded build's self-test (tests inject a failing one); default wasm-threads/selftest.ts. */
  wasmSelfTest?: SelfTest;
}

const ORDER: BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
const req = createRequire(import.meta.url);
let last: BackendResult | null = null;
let nativeLoaded: 'tensorflow-gpu' | 'tensorflow' | null = null;

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

/** Threads for the wasm backend: all cores by default, at most 8 (the glue's pthread pool). */
export function wasmThreadCount(want: number | 'auto' | undefined): number {
  const cores = os.cpus().length;
  const n = want === undefined || want === 'auto' || want <= 0 ? cores : Math.floor(want);
  return Math.max(1, Math.min(8, n));
}

export type SelfTest = () => Promise<{ ok: boolean; reason: string }>;

/**
 * wasm in Node: the threaded SIMD build through the shim (wasm-threads/shim.ts) when more than one thread is
 * wanted, kept only if its self-test passes; else the single-threaded SIMD build, with the reason in the text.
 */
async function tryWasm(threads: number | 'auto' | undefined, selfTest: SelfTest = runSelfTest): Promise<string> {
  const added = registerMissingWasmKernels();
  const kernels = `kernels added/replaced: ${added.join(', ') || 'none needed'}`;
  // One wasm module per process: a second init (a forced backend after 'auto') reuses the one that is live.
  if (tf.engine().registry['wasm']) {
    await activate('wasm');
    return `wasm, already initialised in this process (${getThreadsCount()} thread${getThreadsCount() === 1 ? '' : 's'}); ${kernels}`;
  }
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const n = isNode ? wasmThreadCount(threads) : 1;
  let why = n > 1 ? '' : threads === 1 ? '1 thread asked for' : 'one core';
  if (isNode && n > 1) {
    // The factory as the package registered it, to start over single-threaded if the threaded build fails.
    const factory = tf.findBackendFactory('wasm');
    const started = await enableThreadedWasm({ threads: n });
    if (started.ok) {
      const test = await selfTest().catch((e: Error) => ({ ok: false, reason: `self-test threw: ${e.message}` }));
      if (test.ok) {
        await activate('wasm');
        return `wasm threaded-simd build, ${started.threads} threads (self-test: ${test.reason}); ${kernels}`;
      }
      why = `threaded build failed its self-test: ${test.reason}`;
    } else why = `threaded build did not start: ${started.reason}`;
    disposeWasm();
    if (factory && !tf.findBackendFactory('wasm')) tf.registerBackend('wasm', factory, 2);
  }
  const single = await enableSingleThreadedWasm();
  if (!single.ok) throw new Error(single.reason);
  await activate('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `wasm ${simd ? 'simd' : 'plain'} build, single-threaded (${why}); ${kernels}`;
}

async function tryOne(name: BackendName, o: InitBackendOptions): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu': case 'tensorflow': return tryNative(name);
    case 'webgpu': return tryWebgpu();
    case 'wasm': return tryWasm(o.wasmThreads, o.wasmSelfTest);
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
