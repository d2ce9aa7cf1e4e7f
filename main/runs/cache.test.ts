import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderCache } from './cache';

let ws = '';
afterAll(() => rm(ws, { recursive: true, force: true }));

describe('folder cache', () => {
  it('keeps whole entries by key under <workspace>/cache/<kind>/, leaves no temp folders, refuses path-like keys', async () => {
    ws = await mkdtemp(path.join(tmpdir(), 'cache-'));
    const c = folderCache(ws);
    expect(await c.load('abc')).toBeNull();
    await c.save('abc', { json: '{"a":1}', weights: Uint8Array.of(1, 2, 3) });
    await c.save('def', { json: '{}', weights: new Uint8Array(0) });
    // a second writer of the same key keeps the first entry
    await c.save('abc', { json: '{"a":2}', weights: Uint8Array.of(9) });
    const got = await c.load('abc');
    expect(got?.json).toBe('{"a":1}');
    expect(Array.from(got!.weights)).toEqual([1, 2, 3]);
    expect((await readdir(path.join(ws, 'cache', 'feature-classifier'))).sort()).toEqual(['abc', 'def']);
    expect(c.where('abc')).toBe(path.join(ws, 'cache', 'feature-classifier', 'abc'));
    for (const bad of ['..', '../x', 'a/b', '', '.hidden']) expect(() => c.where(bad)).toThrow(/bad cache key/);
  });
});
