/**
 * A run's generator scored against any labelled image dataset of the workspace — typically a test set the run never
 * trained on: FID*, KID* (the app's classifier features, not Inception) and MS-SSIM diversity, on `samples` generated
 * images from a seed. Composition: runs/ reads the checkpoint, datasets/ loads the reference, engine/ scores.
 */
import { ExportError } from '../../shared/export-error';
import type { EvalMetrics } from '../../shared/events';
import type { z } from 'zod';
import { sampleGraphChunks } from '../engine/export/images';
import { createImageEvaluator } from '../engine/metrics/image-eval';
import { loadTrainingData } from '../datasets/load';
import { folderCache } from '../runs/cache';
import { prepareGenerator } from './export';

export interface EvaluateOptions {
  run: string;
  /** Dataset id (or path) of the reference images. */
  against: string;
  workspace: string;
  samples: number;
  /** Reference images scored against (at most; a class-stratified sample of the dataset), default 5,000. */
  real?: number;
  checkpoint?: number;
  seed?: number;
  onClassifier?: (info: { cached: boolean; trainAccuracy: number }) => void;
}

export async function evaluateRun(o: EvaluateOptions): Promise<{ step: number; against: string; eval: z.infer<typeof EvalMetrics> }> {
  const p = await prepareGenerator(o.run, { checkpoint: o.checkpoint });
  try {
    const td = await loadTrainingData(o.against, o.workspace);
    if (td.kind !== 'images') throw new ExportError(o.against, 'a 2D point dataset: image metrics need images');
    if (p.graph.outShape.length !== 3) throw new ExportError(o.run, 'a 2D point generator: image metrics need images');
    const [h, w, c] = p.graph.outShape;
    if (td.height !== h || td.width !== w || td.channels !== c) {
      throw new ExportError(o.against, `${td.width}×${td.height}×${td.channels} images, the generator makes ${w}×${h}×${c}`);
    }
    const seed = o.seed ?? 0;
    const evaluator = createImageEvaluator({
      cache: folderCache(o.workspace),
      data: td,
      samples: o.samples,
      seed,
      maxReal: o.real ?? 5000,
      onClassifier: o.onClassifier,
      generate: async (n) => {
        const out = new Float32Array(n * h * w * c);
        for (const chunk of sampleGraphChunks(p.graph, n, seed + 1)) out.set(chunk.data, chunk.first * h * w * c);
        return out;
      },
    });
    try {
      return { step: p.run.step, against: o.against, eval: await evaluator.evaluate(p.run.step) };
    } finally {
      evaluator.dispose();
    }
  } finally {
    p.dispose();
  }
}
