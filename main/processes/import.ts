/**
 * Child-process entry for imports (forked by the services so decoding never blocks the main process).
 * In:  { type: 'import', paths, opts: { workspace, size?, channels?, fit?, name? } } | { type: 'cancel' }
 * Out: { type: 'progress', progress } | { type: 'done', manifest, skipped } | { type: 'failed', error, cancelled, skipped }
 */
import { importDataset } from '../datasets/import';
import { ImportError } from '../datasets/errors';

type In =
  | { type: 'import'; paths: string[]; opts: { workspace: string; size?: 28 | 32 | 64 | 128; channels?: 1 | 3; fit?: 'crop' | 'letterbox'; name?: string } }
  | { type: 'cancel' };

const abort = new AbortController();
const send = (m: unknown) => process.send?.(m);

process.on('message', (msg: In) => {
  if (msg.type === 'cancel') {
    abort.abort();
    return;
  }
  if (msg.type !== 'import') return;
  importDataset(msg.paths, { ...msg.opts, signal: abort.signal, onProgress: (progress) => send({ type: 'progress', progress }) })
    .then(({ manifest, skipped }) => send({ type: 'done', manifest, skipped }))
    .catch((err: Error) =>
      send({ type: 'failed', error: err.message, cancelled: abort.signal.aborted, skipped: err instanceof ImportError ? err.skipped : [] }),
    )
    .finally(() => process.disconnect?.());
});
