/** Reads a request body with a size limit, so a huge upload costs at most `limit` bytes of memory. */
import type { IncomingMessage } from 'node:http';

export const MAX_BODY = 1 << 20;

/** The body as text, or 'too-large' as soon as it is known to pass `limit` (from Content-Length or while reading). */
export function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<string | 'too-large'> {
  if (Number(req.headers['content-length']) > limit) return Promise.resolve('too-large');
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop keeping it; the stream keeps flowing into nothing until the caller has answered and closes.
        req.off('data', onData).off('end', onEnd);
        resolveBody('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolveBody(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}
