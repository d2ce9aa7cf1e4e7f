/**
 * Test support: a stand-in import process that misbehaves the way a hostile file can make the real one.
 * It starts a temp folder like the writer does, then, by the job's name: 'oom' allocates until its heap is
 * exhausted; 'hang' ignores cancel and never answers (the host must kill it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportReply, ImportRequest } from '../processes/import-messages';
import { datasetsDir, importTempPrefix } from '../datasets/writer';

process.on('message', (msg: ImportRequest) => {
  if (msg.type !== 'import') return;
  const dir = join(datasetsDir(msg.opts.workspace), `${importTempPrefix(process.pid)}test`);
  void (async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'images.u8'), new Uint8Array(1024));
    process.send!({ type: 'progress', progress: { phase: 'decoding', seen: 1, decoded: 1, skipped: 0 } } satisfies ImportReply);
    if (msg.opts.name === 'oom') {
      const hog: number[][] = [];
      for (;;) hog.push(new Array<number>(1 << 20).fill(hog.length));
    }
  })();
});
