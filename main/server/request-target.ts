/** The request line's target, parsed once, so malformed input is a 400 rather than an exception deep inside. */
export interface Target {
  url: URL;
  /** The percent-decoded path. */
  path: string;
}

/** Accepts only origin-form targets ("/path?query") whose path decodes; anything else is undefined. */
export function parseTarget(raw: string | undefined): Target | undefined {
  if (!raw?.startsWith('/')) return undefined;
  try {
    // Prefixing keeps "//host/x" a path, where new URL(raw, base) would read it as another host.
    const url = new URL(`http://127.0.0.1${raw}`);
    return { url, path: decodeURIComponent(url.pathname) };
  } catch {
    return undefined;
  }
}
