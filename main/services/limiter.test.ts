import { describe, expect, it } from 'vitest';
import { limiter } from './limiter';

describe('limiter', () => {
  it('runs at most `concurrent` jobs, queues `queued` more, refuses the rest with busy', async () => {
    const l = limiter(2, 1, 'exports');
    let peak = 0;
    const release: (() => void)[] = [];
    const job = () =>
      new Promise<number>((resolve) => {
        peak = Math.max(peak, l.running);
        release.push(() => resolve(l.running));
      });
    const a = l.run(job);
    const b = l.run(job);
    const c = l.run(job); // queued
    await expect(l.run(job)).rejects.toMatchObject({ code: 'busy' });
    await new Promise((r) => setTimeout(r, 0));
    expect(release).toHaveLength(2);
    release.shift()!();
    await a;
    await new Promise((r) => setTimeout(r, 0));
    expect(release).toHaveLength(2); // c started once a finished
    release.forEach((r) => r());
    await Promise.all([b, c]);
    expect(peak).toBe(2);
    expect(l.running).toBe(0);
  });
});
