/**
 * Child-process entry for imports, forked by services/import-host.ts so that a hostile file can exhaust only
 * this process's heap. Messages: processes/import-messages.ts. One import per process; it exits when done.
 */
import { importDataset } from '../datasets/import';
import { ImportError } from '../datasets/errors';
import type { ImportReply, ImportRequest } from './import-messages';

const abort = new AbortController();
const send = (m: ImportReply, then?: () => void) => (process.send ? process.send(m, undefined, {}, () => then?.()) : then?.());

// A host that went away (crashed, quit) cancels the import: the writer then removes its temp folder.
process.on('disconnect', () => abort.abort());

process.on('message', (msg: ImportRequest) => {
  if (msg.type === 'cancel') {
    abort.abort();
    return;
  }
  if (msg.type !== 'import') return;
  const finish = (m: ImportReply) => send(m, () => process.disconnect?.());
  importDataset(msg.paths, { ...msg.opts, signal: abort.signal, onProgress: (progress) => send({ type: 'progress', progress }) })
    .then(({ manifest, skipped }) => finish({ type: 'done', manifest, skipped }))
    .catch((err: Error) => finish({ type: 'failed', error: err.message, cancelled: abort.signal.aborted, skipped: err instanceof ImportError ? err.skipped : [] }));
});
