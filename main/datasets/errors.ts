/** The one error type importers throw for a file they refuse; the import turns it into a skipped entry. */
import type { SkipReason } from '../../shared/datasets';

export class SkipError extends Error {
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by importDataset when no file was good: `skipped` lists every file and why. */
export class ImportError extends Error {
  constructor(
    message: string,
    readonly skipped: { path: string; reason: SkipReason; detail?: string }[] = [],
  ) {
    super(message);
  }
}

export function abortError(): Error {
  const err = new Error('Import cancelled');
  err.name = 'AbortError';
  return err;
}
