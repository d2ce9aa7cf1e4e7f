/**
 * Run `fn` over items with at most `limit` in flight and hand results to `sink` in input order.
 * Errors are returned as results, never thrown past the pool, so one bad file cannot stop an import.
 */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export async function orderedPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  sink: (result: Settled<R>, item: T, index: number) => Promise<void> | void,
  signal?: AbortSignal,
): Promise<void> {
  const inflight: Promise<Settled<R>>[] = [];
  const settle = (i: number): Promise<Settled<R>> =>
    fn(items[i]!, i).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  let next = 0;
  let done = 0;
  try {
    while (done < items.length) {
      while (next < items.length && inflight.length < limit && !signal?.aborted) inflight.push(settle(next++));
      if (inflight.length === 0) break; // aborted
      const r = await inflight.shift()!;
      await sink(r, items[done]!, done);
      done++;
    }
  } finally {
    await Promise.all(inflight); // never leave work running behind a cancelled or failed import
  }
}
