/** Child-process entry: initialise the tfjs backend and report which one and why. */
import { initBackend } from '../engine/backend';

const forceIndex = process.argv.indexOf('--backend');
const force = forceIndex >= 0 ? process.argv[forceIndex + 1] : undefined;

initBackend(force ? { force: force as Parameters<typeof initBackend>[0] extends { force?: infer F } ? F : never } : undefined)
  .then((r) => process.send?.({ name: r.name, reason: r.reason }))
  .catch((err: Error) => process.send?.({ name: 'unavailable', reason: err.message }))
  .finally(() => setTimeout(() => process.exit(0), 50));
