/** The trainer loop's RunSink backed by a run folder on disk. */
import type { RunSink, SamplePayload } from '../engine/trainer/loop';
import { appendMetrics, latestCheckpoint, readCheckpoint, updateStatus, writeCheckpoint, writeSample } from './store';
import { imageGridPng, scatterPng } from './render';

export function fileSink(dir: string, keepCheckpoints = 3): RunSink {
  return {
    appendMetrics: (entry) => appendMetrics(dir, { ...entry, time: Date.now() }),
    async writeSample(step: number, s: SamplePayload) {
      const png = s.kind === 'images' ? await imageGridPng(s.data, s.shape) : await scatterPng(s.data, s.modes);
      return writeSample(dir, step, png);
    },
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
