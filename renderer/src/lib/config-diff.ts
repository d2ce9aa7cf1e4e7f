/** Flatten nested run configs to dotted keys and find the keys whose values differ (Compare view). */

export type Flat = Record<string, unknown>;

export function flatten(obj: unknown, prefix = '', out: Flat = {}): Flat {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = obj;
  }
  return out;
}

/** The inverse of flatten: { 'a.b': 1 } → { a: { b: 1 } }. */
export function unflatten(flat: Flat): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      if (!next || typeof next !== 'object') node[parts[i]] = {};
      node = node[parts[i]] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Keys (sorted) where at least two configs disagree; a key missing in one config counts as a difference. */
export function differingKeys(configs: readonly unknown[]): string[] {
  const flats = configs.map((c) => flatten(c));
  const keys = new Set(flats.flatMap((f) => Object.keys(f)));
  return [...keys].filter((k) => flats.some((f) => !same(f[k], flats[0][k]))).sort();
}

export function formatValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
