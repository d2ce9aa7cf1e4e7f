/** The built-in datasets, always available with no download: 2D toys and procedural shapes. */
import type { DatasetSummary } from '../../shared/api';
import { TOYS_2D } from '../../shared/toys2d';
import { SHAPES_PER_CLASS, SHAPES_SIZE, SHAPE_CLASSES } from './shapes';

export const BUILTIN_IDS = ['builtin:ring8', 'builtin:grid25', 'builtin:spiral', 'builtin:shapes'] as const;
export type BuiltinId = (typeof BUILTIN_IDS)[number];

export function isBuiltin(ref: string): ref is BuiltinId {
  return (BUILTIN_IDS as readonly string[]).includes(ref);
}

export function builtinSummaries(): DatasetSummary[] {
  const toys = Object.values(TOYS_2D).map(
    (t): DatasetSummary => ({
      id: `builtin:${t.id}`,
      name: t.name,
      // points are sampled on demand; width 2 = the two coordinates
      count: 0,
      width: 2,
      height: 1,
      channels: 1,
      classes: t.modes.map((_, i) => `mode ${i + 1}`),
      builtin: true,
      kind: 'points',
    }),
  );
  return [
    ...toys,
    {
      id: 'builtin:shapes',
      name: 'Coloured shapes (procedural)',
      count: SHAPES_PER_CLASS * SHAPE_CLASSES.length,
      width: SHAPES_SIZE,
      height: SHAPES_SIZE,
      channels: 3,
      classes: SHAPE_CLASSES,
      classCounts: SHAPE_CLASSES.map(() => SHAPES_PER_CLASS),
      builtin: true,
      kind: 'images',
    },
  ];
}
