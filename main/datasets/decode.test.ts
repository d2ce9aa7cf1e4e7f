import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifySharpError, decodeImage, decodeImageFile } from './decode';
import { hugePng } from './test-fixtures';

const opts = { size: 32, fit: 'crop', channels: 3 } as const;
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('images whose header lies about their size', () => {
  it.each([
    [0x7fffffff, 8],
    [8, 0x7fffffff],
    [0x7fffffff, 0x7fffffff],
    [100_000, 100_000],
  ])('a PNG declaring %i×%i is too large, not corrupt', async (w, h) => {
    await expect(decodeImage(await hugePng(w, h), opts)).rejects.toMatchObject({ reason: 'too-large', message: /pixel limit/ });
  });

  it('a zero width is corrupt', async () => {
    await expect(decodeImage(await hugePng(0, 8), opts)).rejects.toMatchObject({ reason: 'corrupt' });
  });

  it('the path route (files over 1 MB) classifies the codec error as too large as well', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sngan-decode-'));
    dirs.push(dir);
    const p = join(dir, 'big-liar.png');
    await writeFile(p, Buffer.concat([await hugePng(0x7fffffff, 8), Buffer.alloc(2 << 20)]));
    await expect(decodeImageFile(p, opts)).rejects.toMatchObject({ reason: 'too-large' });
    expect(classifySharpError(new Error('pngload_buffer: image width exceeds user limit')).reason).toBe('too-large');
  });
});
