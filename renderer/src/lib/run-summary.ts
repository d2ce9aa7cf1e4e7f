/** Merging run summaries that arrive by different paths (call replies, status events). */
import type { RunSummary } from '../../../shared/api';

/**
 * Whether `incoming` may replace `current`. A control reply can arrive after a newer status event for the same
 * run (they travel separately): the one with the newer revision wins; equal revisions may refresh other fields.
 */
export function isNotOlder(incoming: RunSummary, current: RunSummary | undefined): boolean {
  return !current || (incoming.rev ?? 0) >= (current.rev ?? 0);
}
