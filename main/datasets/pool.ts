/**
 * Run `fn` over items with at most `limit` in flight and hand results to `sink` in input order.
 * A finished item frees its slot at once, even while an earlier one is still running, so one slow image
 * does not leave the decoders idle; results wait for their turn in a reorder window of at most
 * `window` items (started but not yet sunk), which bounds memory.
 * Errors are returned as results, never thrown past the pool, so one bad file cannot stop an import.
 */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function orderedPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  sink: (result: Settled<R>, item: T, index: number) => Promise<void> | void,
  signal?: AbortSignal,
  window = Math.max(1, limit) * 4,
): Promise<void> {
  const slots = Math.max(1, limit);
  const done = new Map<number, Settled<R>>();
  const pending = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  let running = 0;
  let next = 0;
  let sunk = 0;
  const start = (i: number) => {
    running++;
    let p: Promise<R>;
    try {
      p = fn(items[i]!, i);
    } catch (error) {
      p = Promise.reject(error);
    }
    const settled: Promise<void> = p
      .then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      .then((r) => {
        done.set(i, r);
        running--;
        pending.delete(settled);
        const w = wake;
        wake = undefined;
        w?.();
      });
    pending.add(settled);
  };
  try {
    while (sunk < items.length) {
      while (next < items.length && running < slots && next - sunk < Math.max(window, slots) && !signal?.aborted) start(next++);
      const r = done.get(sunk);
      if (r) {
        done.delete(sunk);
        await sink(r, items[sunk]!, sunk);
        sunk++;
        continue;
      }
      if (running === 0) break; // aborted
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    await Promise.all(pending); // never leave work running behind a cancelled or failed import
  }
}
