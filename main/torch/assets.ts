/**
 * Where the Python assets live: main/torch/{python,export}/ when running from source, out/torch/ after
 * `npm run build` (scripts/build-node.mjs copies them beside the bundles).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export function assetsRoot(): string {
  const candidates = [here, path.join(here, '..', 'torch')];
  const hit = candidates.find((c) => existsSync(path.join(c, 'python', 'train.py')));
  if (!hit) throw new Error(`the PyTorch package sources are missing (looked in ${candidates.join(', ')}); rebuild the app`);
  return hit;
}

/** Every file under an asset folder as [relative name, bytes], caches left out. */
export async function assetFiles(sub: 'python' | 'export'): Promise<[string, Uint8Array][]> {
  const root = path.join(assetsRoot(), sub);
  const out: [string, Uint8Array][] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === '__pycache__' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push([path.relative(root, p).split(path.sep).join('/'), new Uint8Array(await fs.readFile(p))]);
    }
  };
  await walk(root);
  return out;
}
