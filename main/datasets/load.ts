/** What a trainer gets: the pixels of a stored or built-in image dataset, or a 2D point sampler. */
import { existsSync } from 'node:fs';
import { TOYS_2D, sampleMixture } from '../../shared/toys2d';
import { isBuiltin } from './builtin';
import { SHAPE_CLASSES, generateShapes } from './shapes';
import { listDatasets, readDataset } from './store';
import { resolve } from 'node:path';
import { importDataset } from './import';

export type TrainingData =
  | {
      kind: 'images';
      id: string;
      width: number;
      height: number;
      channels: 1 | 3;
      count: number;
      pixels: Uint8Array /* NHWC, count*h*w*c */;
      labels?: Uint8Array;
      classes: string[];
    }
  | {
      kind: 'points';
      id: string;
      /** draw n 2D points, deterministic given rng */ sample(n: number, rng: () => number): Float32Array /* n*2 */;
      modes: [number, number][];
      std: number;
      classes: string[];
    };

/**
 * ref: a dataset id in the workspace, 'builtin:ring8' | 'builtin:grid25' | 'builtin:spiral' | 'builtin:shapes',
 * or a filesystem path to import on the fly (imported into the workspace once, then reused by path).
 */
export async function loadTrainingData(ref: string, workspace: string): Promise<TrainingData> {
  if (isBuiltin(ref)) {
    const name = ref.slice('builtin:'.length);
    if (name === 'shapes') {
      const s = generateShapes();
      return { kind: 'images', id: ref, width: s.size, height: s.size, channels: 3, count: s.count, pixels: s.pixels, labels: s.labels, classes: SHAPE_CLASSES };
    }
    const toy = TOYS_2D[name as keyof typeof TOYS_2D];
    return {
      kind: 'points',
      id: ref,
      modes: toy.modes.map((m) => [m[0], m[1]]),
      std: toy.std,
      classes: toy.modes.map((_, i) => `mode ${i + 1}`),
      sample: (n, rng) => sampleMixture(toy.modes, toy.std, n, rng),
    };
  }
  if (ref.startsWith('builtin:')) throw new Error(`Unknown built-in dataset '${ref}'. Built-ins: ring8, grid25, spiral, shapes.`);
  let id = ref;
  if (!/^[A-Za-z0-9._-]+$/.test(ref) || (!existsSync(`${workspace}/datasets/${ref}`) && existsSync(ref))) {
    if (!existsSync(ref)) throw new Error(`No dataset or path '${ref}'`);
    // reuse an earlier on-the-fly import of the same path (delete it from the store to re-import)
    const full = resolve(ref);
    const earlier = (await listDatasets(workspace)).find((m) => m.source.paths.length === 1 && m.source.paths[0] === full);
    id = earlier?.id ?? (await importDataset([ref], { workspace })).manifest.id;
  }
  const { manifest, pixels, labels } = await readDataset(workspace, id);
  return { kind: 'images', id, width: manifest.width, height: manifest.height, channels: manifest.channels, count: manifest.count, pixels, labels, classes: manifest.classes };
}
