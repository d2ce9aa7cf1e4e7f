/**
 * A run folder as the trainer loop's sink. The loop declares the interface (engine/trainer/loop.ts, RunSink);
 * this side only fits its shape, so runs/ never imports the engine; processes/trainer.ts joins the two and the
 * compiler checks the fit there.
 */
import type { PointsSample } from '../../shared/api';
import { appendMetrics, latestCheckpoint, readCheckpoint, updateStatus, writeAugmented, writeCheckpoint, writeSample, writeSamplePoints } from './store';
import { imageGridPng, scatterPng, type FieldLike } from '../imaging/png';

/** A snapshot as the loop hands it over: an image grid's pixels, or 2D points with D's field. */
export type SamplePayload =
  | { kind: 'images'; data: Float32Array; shape: number[] }
  | { kind: 'points'; data: Float32Array; modes?: [number, number][]; real?: Float32Array; field?: FieldLike };

export interface FileSink {
  appendMetrics(entry: object): Promise<void>;
  writeSample(step: number, sample: SamplePayload): Promise<string>;
  writeAugmented(step: number, sample: Extract<SamplePayload, { kind: 'images' }>): Promise<string>;
  writeCheckpoint(step: number, bytes: Uint8Array): Promise<string>;
  updateStatus(patch: Record<string, unknown>): Promise<void>;
  latestCheckpoint(): Promise<Uint8Array | null>;
}

/** Four decimals are plenty on screen and keep a snapshot's JSON small (~40 kB for 1,500 points and a 48² field). */
const round = (a: ArrayLike<number>): number[] => Array.from(a, (v) => (Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : 0));

/** The JSON stored beside a 2D snapshot's PNG, for the renderer's live scatter over D's heatmap. */
export function pointsSnapshot(s: Extract<SamplePayload, { kind: 'points' }>): PointsSample {
  return {
    fake: round(s.data),
    real: round(s.real ?? []),
    modes: (s.modes ?? []).map(([x, y]) => [x, y] as [number, number]),
    ...(s.field ? { field: { n: s.field.n, bounds: [...s.field.bounds] as [number, number, number, number], values: round(s.field.values) } } : {}),
  };
}

export function fileSink(dir: string, keepCheckpoints = 3): FileSink {
  return {
    appendMetrics: (entry) => appendMetrics(dir, { ...entry, time: Date.now() }),
    async writeSample(step: number, s: SamplePayload) {
      if (s.kind === 'images') return writeSample(dir, step, await imageGridPng(s.data, s.shape));
      // The JSON first: when the PNG (which lists the step) appears, its data is already there.
      await writeSamplePoints(dir, step, pointsSnapshot(s));
      return writeSample(dir, step, await scatterPng(s.data, s.modes, undefined, 320, s.field, s.real));
    },
    writeAugmented: async (step, s) => writeAugmented(dir, step, await imageGridPng(s.data, s.shape)),
    writeCheckpoint: (step, bytes) => writeCheckpoint(dir, step, bytes, keepCheckpoints),
    async updateStatus(patch) {
      await updateStatus(dir, patch);
    },
    async latestCheckpoint() {
      const c = await latestCheckpoint(dir);
      return c ? readCheckpoint(c.path) : null;
    },
  };
}
