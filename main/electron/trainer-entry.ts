/**
 * Entry of every utilityProcess the desktop app starts (trainer, export CLI, probe, import): install the
 * parentPort bridge, give the worker the argv it would have had, then load the worker named on the command line.
 * Needs a build entry (out/node/trainer-entry.js, beside worker.js).
 */
import { pathToFileURL } from 'node:url';
import { argvForWorker, installParentPortBridge, workerFromArgv, type BridgeableProcess } from './utility-bridge';

const worker = workerFromArgv(process.argv);
if (!worker) {
  console.error('trainer-entry: no --sngan-worker=<path> argument');
  process.exit(2);
}
installParentPortBridge(process as unknown as BridgeableProcess);
process.argv = argvForWorker(process.argv);
await import(pathToFileURL(worker).href);
