/** Child-process entry: initialise the tfjs backend and report which one and why. */
import { initBackend } from '../engine/backend';
import { probeOnnxruntime } from '../engine/onnx-step/session';

const forceIndex = process.argv.indexOf('--backend');
const force = forceIndex >= 0 ? process.argv[forceIndex + 1] : undefined;

initBackend(force ? { force: force as Parameters<typeof initBackend>[0] extends { force?: infer F } ? F : never } : undefined)
  .then(async (r) => process.send?.({ name: r.name, reason: r.reason, engine: (await probeOnnxruntime()).reason }))
  .catch((err: Error) => process.send?.({ name: 'unavailable', reason: err.message }))
  .finally(() => setTimeout(() => process.exit(0), 50));
