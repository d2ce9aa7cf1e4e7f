/**
 * Exponential moving average as TensorBoard draws it: debiased so the first points are not pulled to 0,
 * gaps (null / NaN / ±Infinity) pass through as null and do not poison later values.
 * weight 0 = raw, 0.99 = very smooth.
 */
export function ema(values: ReadonlyArray<number | null | undefined>, weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    const debias = w === 0 ? 1 : 1 - Math.pow(w, n);
    out[i] = last / debias;
  }
  return out;
}
