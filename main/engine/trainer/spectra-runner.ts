/**
 * Schedules exact spectra off the training step's critical path: `capture` copies the kernels to the host
 * (one synchronous read per kernel, at the step it is called), and a `worker_threads` worker computes the
 * spectra (spectra.ts) while training goes on. Where the worker script lives is the process entry's business
 * (processes/entries.ts passes it in); without one, or when it cannot start, the computation runs inline
 * (and says so in `mode`).
 */
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { LayerSpectrum } from '../../../shared/events';
import { spectraOf, SPECTRUM_TOP, type HostKernel, type KernelKind } from './spectra';

export interface KernelSource {
  name: string;
  kind: KernelKind;
  tensor: tf.Tensor;
}

/** How to start the spectra worker thread: a script path, or source to eval (tsx bootstrap from source). */
export interface WorkerEntry {
  script: string;
  eval: boolean;
}

export interface SpectraResult {
  spectra: LayerSpectrum[];
  /** Worker compute time (or inline time), ms. */
  ms: number;
}

/** Copy kernels to host memory (float32), at the current step. */
export function captureKernels(src: KernelSource[]): HostKernel[] {
  return src.map((k) => ({ name: k.name, kind: k.kind, shape: [...k.tensor.shape], data: Float32Array.from(k.tensor.dataSync() as Float32Array) }));
}

export class SpectraRunner {
  private worker: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: SpectraResult) => void; reject: (e: Error) => void }>();
  /** 'inline' when no worker could be started, or after the worker failed (later spectra run inline). */
  mode: 'worker' | 'inline';
  private readonly top: number;

  constructor(opts: { worker?: WorkerEntry | null; top?: number } = {}) {
    this.top = opts.top ?? SPECTRUM_TOP;
    const entry = opts.worker ?? null;
    if (entry) {
      try {
        this.worker = new Worker(entry.script, { eval: entry.eval });
        this.worker.unref();
        this.worker.on('message', (m: { id: number; spectra?: LayerSpectrum[]; ms?: number; error?: string }) => {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          if (m.error !== undefined) p.reject(new Error(m.error));
          else p.resolve({ spectra: m.spectra!, ms: m.ms ?? 0 });
        });
        this.worker.on('error', (err) => {
          this.worker = null;
          this.mode = 'inline';
          this.failAll(err);
        });
        this.worker.on('exit', (code) => {
          this.worker = null;
          this.mode = 'inline';
          this.failAll(new Error(`spectra worker exited (${code})`));
        });
      } catch {
        this.worker = null;
      }
    }
    this.mode = this.worker ? 'worker' : 'inline';
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Spectra of kernels already on the host; the buffers are transferred to the worker. */
  compute(kernels: HostKernel[]): Promise<SpectraResult> {
    const w = this.worker;
    if (!w) {
      const t0 = performance.now();
      try {
        return Promise.resolve({ spectra: spectraOf(kernels, this.top), ms: performance.now() - t0 });
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    const id = this.nextId++;
    return new Promise<SpectraResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, kernels, top: this.top }, kernels.map((k) => k.data.buffer as ArrayBuffer));
    });
  }

  /** Capture now (synchronously), compute in the background. */
  run(src: KernelSource[]): Promise<SpectraResult> {
    return this.compute(captureKernels(src));
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failAll(new Error('spectra runner disposed'));
    if (w) await w.terminate();
  }
}
