/** Small display formatters shared by the views. */

export function formatDuration(sec: number | null | undefined): string {
  if (sec == null || !Number.isFinite(sec) || sec < 0) return '—';
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatNumber(v: unknown, digits = 4): string {
  if (typeof v !== 'number') return v == null ? '—' : String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e7) return v.toLocaleString('en-US');
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

export function formatRate(stepsPerSec: number | null | undefined): string {
  if (stepsPerSec == null || !Number.isFinite(stepsPerSec)) return '—';
  if (stepsPerSec >= 10) return `${stepsPerSec.toFixed(0)} steps/s`;
  if (stepsPerSec >= 1) return `${stepsPerSec.toFixed(1)} steps/s`;
  return `${(1 / Math.max(stepsPerSec, 1e-9)).toFixed(1)} s/step`;
}

export function formatPercent(done: number, total: number): string {
  if (!total) return '0%';
  return `${Math.min(100, Math.max(0, (100 * done) / total)).toFixed(0)}%`;
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
