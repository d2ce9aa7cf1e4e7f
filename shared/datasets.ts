/**
 * Dataset schemas shared by main and renderer: the on-disk manifest, import options,
 * import progress and the validation report. No Node, no DOM.
 */
import { z } from 'zod';

/** Why a file was not imported. Every skipped file carries exactly one. */
export const SkipReason = z.enum([
  'corrupt',
  'truncated',
  'unsupported',
  'too-large',
  'empty',
  'not-an-image',
  'bad-idx-magic',
  'shape-mismatch',
  'unsafe-path',
  'archive-too-large',
]);
export type SkipReason = z.infer<typeof SkipReason>;

export const SkippedEntry = z.object({ path: z.string(), reason: SkipReason, detail: z.string().optional() });
export type SkippedEntry = z.infer<typeof SkippedEntry>;

export const ImageSize = z.union([z.literal(28), z.literal(32), z.literal(64), z.literal(128)]);
export type ImageSize = z.infer<typeof ImageSize>;

export const ImportOptions = z
  .object({
    /** Square output resolution. Default: the native size of IDX/CIFAR/npy data, else 64. */
    size: ImageSize.optional(),
    /** Output channels. Default: native for arrays; for image files 1 if every image is greyscale, else 3. */
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    /** 'crop' = centre-crop to a square (default), 'letterbox' = fit inside, pad with black. */
    fit: z.enum(['crop', 'letterbox']).optional(),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ImportOptions = z.infer<typeof ImportOptions>;

export const ImportProgress = z.object({
  phase: z.enum(['scanning', 'decoding', 'writing']),
  /** Files (or archive entries / array records) found so far. */
  seen: z.number().int(),
  decoded: z.number().int(),
  skipped: z.number().int(),
  /** Best current estimate of the number of items to decode. */
  total: z.number().int().optional(),
  etaSec: z.number().optional(),
});
export type ImportProgress = z.infer<typeof ImportProgress>;

export const SourceKind = z.enum(['folder', 'zip', 'idx', 'cifar', 'npy', 'images', 'procedural']);

export const DatasetManifest = z.object({
  version: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9._-]+$/),
  name: z.string(),
  kind: z.literal('images'),
  count: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Class names; empty when the data has no labels. */
  classes: z.array(z.string()),
  classCounts: z.array(z.number().int()),
  hasLabels: z.boolean(),
  preprocessing: z.object({ size: z.number().int(), fit: z.enum(['crop', 'letterbox']), channels: z.union([z.literal(1), z.literal(3)]) }),
  source: z.object({ kinds: z.array(SourceKind), paths: z.array(z.string()) }),
  /** sha256 of images.u8 followed by labels.u8. */
  hash: z.string(),
  createdAt: z.string(),
  files: z.object({ images: z.string(), labels: z.string().optional(), sheet: z.string().optional() }),
  /** Thumbnail sheet: the first `count` images tiled `columns` across, at native size. */
  sheet: z.object({ count: z.number().int(), columns: z.number().int() }).optional(),
  skipped: z.number().int().default(0),
});
export type DatasetManifest = z.infer<typeof DatasetManifest>;

/** The validation report returned with every import (and attached to the error when nothing was good). */
export const ValidationReport = z.object({
  imported: z.number().int(),
  skipped: z.array(SkippedEntry),
  byReason: z.record(z.string(), z.number().int()),
});
export type ValidationReport = z.infer<typeof ValidationReport>;

export function summariseSkipped(skipped: SkippedEntry[], imported: number): ValidationReport {
  const byReason: Record<string, number> = {};
  for (const s of skipped) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
  return { imported, skipped, byReason };
}
