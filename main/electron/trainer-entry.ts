/**
 * Entry of the trainer's utilityProcess: install the parentPort bridge, then load the worker named on the
 * command line. Needs a build entry (out/node/trainer-entry.js, beside worker.js).
 */
import { pathToFileURL } from 'node:url';
import { installParentPortBridge, workerFromArgv, type BridgeableProcess } from './utility-bridge';

const worker = workerFromArgv(process.argv);
if (!worker) {
  console.error('trainer-entry: no --sngan-worker=<path> argument');
  process.exit(2);
}
installParentPortBridge(process as unknown as BridgeableProcess);
await import(pathToFileURL(worker).href);
