/**
 * Min/max bucket decimation for streaming line charts: keeps at most ~maxPoints points,
 * always the first and last, and for each bucket its lowest and highest y in x order,
 * so spikes (a loss blowing up, σ jumping) survive while the chart stays cheap to draw.
 */
export interface Pt {
  x: number;
  y: number | null;
}

export function decimate(points: readonly Pt[], maxPoints: number): Pt[] {
  const n = points.length;
  if (n <= maxPoints || maxPoints < 4) return points.slice();
  const buckets = Math.floor((maxPoints - 2) / 2);
  const size = (n - 2) / buckets;
  const out: Pt[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor(b * size);
    const end = Math.min(n - 1, 1 + Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    let gap = -1;
    for (let i = start; i < end; i++) {
      const y = points[i].y;
      if (y == null || !Number.isFinite(y)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (lo < 0 || y < (points[lo].y as number)) lo = i;
      if (hi < 0 || y > (points[hi].y as number)) hi = i;
    }
    if (lo < 0) {
      if (gap >= 0) out.push(points[gap]);
      continue;
    }
    if (lo === hi) out.push(points[lo]);
    else if (lo < hi) out.push(points[lo], points[hi]);
    else out.push(points[hi], points[lo]);
  }
  out.push(points[n - 1]);
  return out;
}
