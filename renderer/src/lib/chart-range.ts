/** For a (nearly) flat series, a y range padded around its level so the axis does not zoom into float noise. */
import type { Pt } from './decimate';

export function yRange(points: readonly Pt[], log = false): { min: number; max: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p.y == null || !Number.isFinite(p.y)) continue;
    if (p.y < lo) lo = p.y;
    if (p.y > hi) hi = p.y;
  }
  if (!Number.isFinite(lo)) return null;
  const level = Math.max(Math.abs(lo), Math.abs(hi), 1e-12);
  if (hi - lo > 1e-3 * level) return null;
  const mid = (lo + hi) / 2;
  const pad = Math.max(0.01 * Math.abs(mid), 1e-6);
  return { min: log ? Math.max(mid - pad, mid / 1.02) : mid - pad, max: mid + pad };
}
