/** The app's version from package.json, found upwards from here (source tree or bundle). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function appVersion(): string {
  // package.json sits at the repo root, two or three folders up from here (source or bundle).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sngan-studio' && pkg.version) return pkg.version;
    } catch {
      /* keep looking upwards */
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
