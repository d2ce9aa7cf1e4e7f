import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { png } from '../datasets/test-fixtures';

let root: string;
afterAll(() => rm(root, { recursive: true, force: true }));

it('imports in a child process and reports progress and the result', async () => {
  root = await mkdtemp(join(tmpdir(), 'sngan-worker-'));
  await writeFile(join(root, 'a.png'), await png(30, 30));
  const child = fork(fileURLToPath(new URL('./import.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'pipe' });
  const msgs: { type: string; manifest?: { count: number } }[] = [];
  const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('message', (m) => msgs.push(m as never));
  child.send({ type: 'import', paths: [join(root, 'a.png')], opts: { workspace: join(root, 'ws'), size: 28 } });
  await done;
  expect(msgs.some((m) => m.type === 'progress')).toBe(true);
  expect(msgs.at(-1)).toMatchObject({ type: 'done', manifest: { count: 1, width: 28 } });
});
