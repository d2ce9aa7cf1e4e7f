/**
 * worker_threads entry: exact spectra of kernels copied to the host, off the training thread.
 * Message in: { id, kernels: HostKernel[] }; out: { id, spectra } or { id, error }.
 */
import { parentPort } from 'node:worker_threads';
import { spectraOf, type HostKernel } from '../engine/trainer/spectra';

parentPort?.on('message', (msg: { id: number; kernels: HostKernel[]; top?: number }) => {
  try {
    const t0 = performance.now();
    const spectra = spectraOf(msg.kernels, msg.top);
    parentPort!.postMessage({ id: msg.id, spectra, ms: performance.now() - t0 });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
