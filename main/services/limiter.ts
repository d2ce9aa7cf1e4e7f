/**
 * Bounds heavy work started on request (export/sample CLI children): at most `concurrent` at once, at most
 * `queued` more waiting; past that a call is refused at once with a clear message instead of forking without end.
 */
import { ApiError } from '../../shared/api';

export function limiter(concurrent: number, queued: number, what: string) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    get running() {
      return running;
    },
    async run<T>(job: () => Promise<T>): Promise<T> {
      if (running >= concurrent) {
        if (waiting.length >= queued) throw new ApiError('busy', `Too many ${what} at once (${running} running, ${waiting.length} waiting): try again when one finishes`);
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      running++;
      try {
        return await job();
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
  };
}
