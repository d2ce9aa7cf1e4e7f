/** The messages between an import process (import.ts) and its host (services/import-host.ts). */
import type { DatasetManifest, ImportProgress, SkipReason } from '../../shared/datasets';

export interface ImportJobOpts {
  workspace: string;
  size?: 28 | 32 | 64 | 128;
  channels?: 1 | 3;
  fit?: 'crop' | 'letterbox';
  name?: string;
}

export type Skipped = { path: string; reason: SkipReason; detail?: string }[];

export type ImportRequest = { type: 'import'; paths: string[]; opts: ImportJobOpts } | { type: 'cancel' };

export type ImportReply =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; manifest: DatasetManifest; skipped: Skipped }
  | { type: 'failed'; error: string; cancelled: boolean; skipped: Skipped };
