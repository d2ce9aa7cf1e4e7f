/**
 * Makes tfjs-backend-wasm 4.22's threaded SIMD build start in Node (the trainer child process, worker threads,
 * Electron's utilityProcess) with no edits under node_modules. tfjs refuses threads in Node; what stands in the way
 * (line numbers in tfjs-backend-wasm 4.22's dist/tf-backend-wasm.node.js):
 *  1. `WASM_HAS_MULTITHREAD_SUPPORT` is hard-coded false when IS_NODE (flags_wasm.js:44): set it true.
 *  2. The glue assigns `globalThis.Worker = worker_threads.Worker` on every module creation (:7741) and starts each
 *     pthread from a `blob:` URL (:9324-9330, :8145), which Node rejects: a global `Worker` accessor returns our
 *     PthreadWorker, which runs the same worker source (wasm-out/…worker.js's `wasmWorkerContents`) with eval.
 *  3. Workers are told to load a Blob of the bundled factory (:9363, :8144), which only works inside the bundle:
 *     the 'load' message is rewritten to the plain Emscripten glue (wasm-out/…-threaded-simd.js; same import table).
 *  4. backend.cc caps the pool at `emscripten_num_logical_cores() / 2` (`os.cpus().length` in the glue, :8235), so
 *     1 thread on a 2-core machine: os.cpus() reports 2 × the wanted threads while setBackend runs.
 *  5. Every running pthread is `ref()`ed (:8005) and XNNPACK's never exit, so the process would never end: ref is a
 *     no-op (the glue unrefs loaded workers itself, :8095). 6. A worker error is rethrown (:8121) and would kill
 *     the process: it is recorded and the start fails instead. 7. The glue preallocates 8 workers (:8031): the unused
 *     ones are terminated after start (≈65 MB saved).
 * tfjs issue #3830 and PR #8059 took the same road. The caller (backend.ts) self-tests the result and falls back.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';

const req = createRequire(import.meta.url);

export interface ThreadedWasmResult {
  ok: boolean;
  reason: string;
  /** XNNPACK pthreadpool size actually in use (tfwasm.getThreadsCount()), -1 if unknown. */
  threads: number;
  /** 'threaded-simd' when the threaded module is live, else what we saw. */
  build: string;
  ms: number;
}

export interface ThreadedWasmOptions {
  /** Desired XNNPACK thread count (includes the calling thread). 2..8. */
  threads: number;
  /** Give up on setBackend after this long (default 30 s). */
  timeoutMs?: number;
  /** Folder holding the .wasm files (default: the package's dist/). */
  wasmDir?: string;
  /**
   * Terminate the pool workers XNNPACK does not use (the glue always
   * preallocates PTHREAD_POOL_SIZE=8; pthreadpool uses threads-1). Saves
   * ~10 MB RSS per worker. Default true.
   */
  trimPool?: boolean;
  /** TEST ONLY: main script for pthread workers (simulate a broken glue). */
  pthreadGlueOverride?: string;
}

function wasmPkgDir(): string {
  return path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

interface ShimState {
  /** Path handed to pthread workers as their main script (importScripts). */
  glue: string;
  defaultGlue: string;
  workers: Set<NodeWorker>;
  errors: string[];
  onError: ((msg: string) => void) | null;
}
let installed: ShimState | null = null;

/** Installs the global Worker accessor (idempotent). Exported for tests. */
export function installWorkerShim(): ShimState {
  if (installed) return installed;
  const dir = wasmPkgDir();
  const glue = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerJs = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js');
  // backend_wasm.ts escapes '\n' before putting the source in a Blob (the
  // minified source has one raw newline inside a "..." literal).
  // A module require (it exports the source as a string), so a missing file throws here with its path.
  const workerSrc: string = (req(workerJs) as { wasmWorkerContents: string }).wasmWorkerContents.replace(
    /\n/g,
    '\\n',
  );
  const workers = new Set<NodeWorker>();
  const errors: string[] = [];
  const record = (e: unknown) => {
    const msg = String((e as Error)?.stack ?? e).split('\n').slice(0, 3).join(' | ');
    errors.push(msg);
    installed?.onError?.(msg);
  };

  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      const s = String(url);
      if (s.startsWith('blob:')) {
        // execArgv: [] keeps tsx/other loaders out of the 8 pthread workers.
        super(workerSrc, { eval: true, execArgv: [], ...options });
        try {
          URL.revokeObjectURL(s);
        } catch {
          /* ignore */
        }
      } else {
        super(url, options);
      }
      workers.add(this);
      this.once('exit', () => workers.delete(this));
      super.on('error', record);
    }
    // The glue's worker 'error' handler rethrows (`worker.onerror = e => {
    // err(...); throw e }`), which would become an uncaughtException and kill
    // the process. Wrap 'error' listeners so a broken pthread turns into a
    // recorded failure instead.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's own signature for Worker.on
    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      if (event !== 'error') return super.on(event, listener);
      return super.on(event, (e: unknown) => {
        try {
          listener(e);
        } catch {
          /* already recorded */
        }
      });
    }
    // spawnThread() in the glue calls worker.ref() for every running pthread
    // (Emscripten's "threads keep the process alive" semantics). XNNPACK's
    // pthreadpool threads never exit, so that makes the process hang at the
    // end. The compute is synchronous on the calling thread, so nothing is
    // lost by keeping them unref'd; the glue already unref()s on 'loaded'.
    override ref(): void {}
    override postMessage(msg: unknown, transfer?: readonly unknown[]): void {
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') {
        msg = { ...m, urlOrBlob: installed!.glue };
      }
      super.postMessage(msg, transfer as Parameters<NodeWorker['postMessage']>[1]);
    }
  }

  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    enumerable: false,
    get: () => PthreadWorker,
    // The glue assigns worker_threads.Worker here on every factory call.
    set: () => {},
  });
  installed = { glue, defaultGlue: glue, workers, errors, onError: null };
  return installed;
}

/** Runs fn with os.cpus() reporting `n` logical CPUs, restoring it afterwards. */
async function withFakeCpuCount<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const os = req('os') as typeof import('node:os'); // same object the bundle's require('os') got
  const orig = os.cpus;
  const fake = () => {
    const real = orig.call(os);
    const base = real[0] ?? { model: 'virtual', speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
    return Array.from({ length: n }, (_, i) => real[i] ?? base);
  };
  (os as { cpus: typeof os.cpus }).cpus = fake;
  try {
    return await fn();
  } finally {
    (os as { cpus: typeof os.cpus }).cpus = orig;
  }
}

function threadsSupportedHere(): string | null {
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer unavailable';
  try {
    // Same probe as flags_wasm.ts (shared memory + atomic op).
    const ok = WebAssembly.validate(
      new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16,
        2, 0, 26, 11,
      ]),
    );
    if (!ok) return 'WebAssembly threads not supported by this V8';
  } catch (e) {
    return `wasm threads probe threw: ${String(e)}`;
  }
  return null;
}

/**
 * Must be called BEFORE any tf.setBackend('wasm') / tf.ready() in this
 * thread. On ok:false the backend may be half-initialised: see NOTES.md
 * "Fallback".
 */
export async function enableThreadedWasm(opts: ThreadedWasmOptions): Promise<ThreadedWasmResult> {
  const t0 = performance.now();
  const threads = Math.floor(opts.threads);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const fail = (reason: string, build = 'none', got = -1): ThreadedWasmResult => ({
    ok: false,
    reason,
    threads: got,
    build,
    ms: performance.now() - t0,
  });
  if (!(threads >= 1 && threads <= 8)) return fail(`threads must be 1..8 (XNNPACK cap / PTHREAD_POOL_SIZE=8), got ${opts.threads}`);
  const unsupported = threadsSupportedHere();
  if (unsupported) return fail(unsupported);
  if (tf.engine().registryFactory['wasm'] == null) return fail('wasm backend not registered');
  if (tf.engine().backendName === 'wasm' || tf.engine().registry['wasm'] != null) {
    return fail('wasm backend already initialised in this thread; call enableThreadedWasm first');
  }

  let state: ShimState;
  try {
    state = installWorkerShim();
    state.glue = opts.pthreadGlueOverride ?? state.defaultGlue;
    tf.env().set('WASM_HAS_SIMD_SUPPORT', await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    if (!tf.env().get('WASM_HAS_SIMD_SUPPORT')) return fail('no wasm SIMD: threaded build needs SIMD');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    tfwasm.setThreadsCount(threads);
    tfwasm.setWasmPaths(opts.wasmDir ?? path.join(wasmPkgDir(), 'dist') + path.sep);
  } catch (e) {
    return fail(`setup failed: ${String((e as Error)?.message ?? e)}`);
  }

  let timer: NodeJS.Timeout | undefined;
  let okBackend: boolean | 'timeout' | 'worker-error';
  state.errors.length = 0;
  try {
    okBackend = await withFakeCpuCount(2 * threads, () =>
      Promise.race([
        tf.setBackend('wasm'),
        new Promise<'timeout'>((res) => {
          timer = setTimeout(() => res('timeout'), timeoutMs);
          timer.unref();
        }),
        // A pthread worker that dies before 'loaded' means the module's ready
        // promise never settles: fail fast instead of waiting for the timeout.
        new Promise<'worker-error'>((res) => (state.onError = () => res('worker-error'))),
      ]),
    );
  } catch (e) {
    okBackend = false;
    state.errors.push(String(e));
  } finally {
    if (timer) clearTimeout(timer);
    state.onError = null;
  }
  if (okBackend === 'worker-error') {
    killWorkers(state);
    return fail(`pthread worker failed during init: ${state.errors.join('; ')}`);
  }
  if (okBackend !== true) killWorkers(state);
  if (okBackend === 'timeout') {
    return fail(`setBackend('wasm') did not settle in ${timeoutMs} ms (${state.errors.join('; ') || 'no worker error'}); fall back with enableSingleThreadedWasm()`);
  }
  if (!okBackend) return fail(`setBackend('wasm') returned false ${state.errors.join('; ')}`);
  if (tf.getBackend() !== 'wasm') return fail(`getBackend() is ${tf.getBackend()}`);

  // Confirm the threaded Emscripten module is live and its pthreads running.
  const pt = emscriptenThreads();
  if (!pt) return fail('wasm backend loaded the non-threaded module', 'simd', safeThreads());
  const got = safeThreads();
  const running = pt.runningWorkers?.length ?? -1;
  const allLoaded = [...(pt.unusedWorkers ?? []), ...(pt.runningWorkers ?? [])].every((w: { loaded?: boolean }) => w.loaded);
  if (got !== threads) return fail(`getThreadsCount()=${got}, wanted ${threads}`, 'threaded-simd', got);
  if (running !== threads - 1 || !allLoaded) {
    return fail(`pthreads not live: running=${running} (want ${threads - 1}), allLoaded=${allLoaded}`, 'threaded-simd', got);
  }
  if (state.errors.length) return fail(`worker errors: ${state.errors.join('; ')}`, 'threaded-simd', got);
  if (opts.trimPool ?? true) {
    // Safe: pthreadpool creates its threads once (already running); if the
    // glue ever needs another, getNewWorker() allocates and loads a new one.
    const spare: NodeWorker[] = pt.unusedWorkers.splice(0);
    for (const w of spare) void w.terminate();
  }
  return { ok: true, reason: `threaded-simd with ${got} threads (${running} pthreads)`, threads: got, build: 'threaded-simd', ms: performance.now() - t0 };
}

/** The Emscripten module's pthread bookkeeping, present only in the threaded build. */
interface PThreads {
  runningWorkers?: { loaded?: boolean }[];
  unusedWorkers: (NodeWorker & { loaded?: boolean })[];
}

function emscriptenThreads(): PThreads | undefined {
  return (tf.backend() as unknown as { wasm?: { PThread?: PThreads } }).wasm?.PThread;
}

function killWorkers(state: ShimState): void {
  for (const w of state.workers) {
    w.unref();
    void w.terminate();
  }
}

function safeThreads(): number {
  try {
    return tfwasm.getThreadsCount();
  } catch {
    return -1;
  }
}

/** Single-threaded SIMD build, the default in Node (no shim). */
export async function enableSingleThreadedWasm(): Promise<ThreadedWasmResult> {
  const t0 = performance.now();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  try {
    tfwasm.setWasmPaths(path.join(wasmPkgDir(), 'dist') + path.sep);
  } catch {
    // setWasmPaths throws once an init has aborted (initAborted); the prefix
    // set by the failed threaded attempt then stays in force.
  }
  const ok = await tf.setBackend('wasm');
  const threads = safeThreads();
  return {
    ok: ok && tf.getBackend() === 'wasm',
    reason: ok ? 'single-threaded simd' : "setBackend('wasm') returned false",
    threads,
    build: ok ? (emscriptenThreads() ? 'threaded-simd' : 'simd') : 'none',
    ms: performance.now() - t0,
  };
}

/** Disposes the wasm backend (terminates pthread workers). */
export function disposeWasm(): void {
  if (tf.engine().registry['wasm'] != null) tf.removeBackend('wasm');
  if (installed) for (const w of installed.workers) void w.terminate();
}
