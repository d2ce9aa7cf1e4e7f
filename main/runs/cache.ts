/**
 * The workspace's cache of derived artefacts that are costly to remake (the metrics' feature classifier):
 * `<workspace>/cache/<kind>/<key>/` holding model.json + weights.bin, written to a temp folder and renamed,
 * so a reader sees a whole entry or none. Keys come from the caller (a content hash), never from a user.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TMP_MARK } from './atomic';

export interface CacheEntry {
  json: string;
  weights: Uint8Array;
}

const KEY_RE = /^[A-Za-z0-9_-]{1,128}$/;

export function folderCache(workspace: string, kind = 'feature-classifier') {
  const root = path.join(workspace, 'cache', kind);
  const where = (key: string): string => {
    if (!KEY_RE.test(key)) throw new Error(`bad cache key ${JSON.stringify(key)}`);
    return path.join(root, key);
  };
  return {
    where,
    async load(key: string): Promise<CacheEntry | null> {
      const dir = where(key);
      try {
        const json = await fs.readFile(path.join(dir, 'model.json'), 'utf8');
        const w = await fs.readFile(path.join(dir, 'weights.bin'));
        return { json, weights: new Uint8Array(w.buffer, w.byteOffset, w.byteLength) };
      } catch {
        return null;
      }
    },
    async save(key: string, entry: CacheEntry): Promise<void> {
      const dir = where(key);
      const tmp = `${dir}${TMP_MARK}${process.pid}-${Date.now()}`;
      try {
        await fs.mkdir(tmp, { recursive: true });
        await fs.writeFile(path.join(tmp, 'weights.bin'), entry.weights);
        await fs.writeFile(path.join(tmp, 'model.json'), entry.json);
        await fs.rename(tmp, dir);
      } catch (e) {
        // Another process cached it first (rename onto a non-empty folder fails): keep theirs.
        await fs.rm(tmp, { recursive: true, force: true });
        if (!(await fs.stat(dir).catch(() => null))) throw e;
      }
    },
  };
}
