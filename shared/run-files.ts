import type { TrainConfig } from './config';

/** A run's files as runs/read-run.ts reads them, and as engine/export/generator.ts rebuilds the generator from them. */
export interface RunFiles {
  dir: string;
  config: TrainConfig;
  /** The config file's path, named when the generator cannot be built from it. */
  configFile: string;
  checkpoint: { step: number; path: string };
  bytes: Uint8Array;
  /** From the dataset's manifest when there is one: image shape and class names. */
  dataset: { shape?: number[]; classes: string[] };
}
