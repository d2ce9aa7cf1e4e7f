/** What a checkpoint holds of a trainer, and the weight half of reading and restoring it. */
import * as tf from '@tensorflow/tfjs';
import { logical } from '../models/params';
import type { AdamState, LrScheduleState } from '../optim';
import type { AdaState } from '../augment/index';
import type { RngState } from './rng';

export interface TrainerState {
  step: number;
  rng: RngState;
  vars: Record<string, Float32Array>;
  sn: Record<string, { u: Float32Array; v: Float32Array }>;
  adamG: AdamState;
  adamD: AdamState;
  ema?: Record<string, Float32Array>;
  /** BN statistics of the EMA weights (standing-statistics pass), so EMA samples are per-latent deterministic. */
  emaStats?: Record<string, Float32Array>;
  /** The LR line (absent in checkpoints written before runs could be extended without a jump). */
  lr?: LrScheduleState;
  /** ADA's p and r_t window (absent in checkpoints written before augmentation existed). */
  aug?: AdaState;
}

/** The parameter sets of a network as checkpoints see them: trainable weights and BN running statistics. */
export interface NetVars {
  trainable(): tf.Variable[];
  vars: Map<string, tf.Variable>;
  stats: Map<string, tf.Variable>;
}

/** Weights of every network, then G's BN statistics, by logical name. */
export async function readVars(nets: NetVars[], stats: NetVars): Promise<Record<string, Float32Array>> {
  const vars: Record<string, Float32Array> = {};
  for (const v of [...nets.flatMap((n) => n.trainable()), ...stats.stats.values()]) vars[logical(v.name)] = (await v.data()) as Float32Array;
  return vars;
}

/**
 * Restore weights (every one must be there, with its size) and BN statistics (kept as they are where a checkpoint
 * written before running statistics existed has none). Returns notes on checkpoint entries this model has no use for.
 */
export function writeVars(nets: NetVars[], stats: NetVars, vars: Record<string, Float32Array>): string[] {
  const notes = staleParams(vars, nets).map(
    (k) => `checkpoint entry ${k} ignored: this model has no such parameter (a bias SN did not cover was removed; D re-adapts in a few steps)`,
  );
  for (const v of nets.flatMap((n) => n.trainable())) {
    const d = vars[logical(v.name)];
    if (!d) throw new Error(`checkpoint lacks ${logical(v.name)} (different architecture?)`);
    if (d.length !== v.size) throw new Error(`checkpoint ${logical(v.name)} has ${d.length} values, model needs ${v.size}`);
    tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
  }
  for (const v of stats.stats.values()) {
    const d = vars[logical(v.name)];
    if (d && d.length === v.size) tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
  }
  return notes;
}

/** Checkpoint variables (weights, not BN statistics) that none of these networks has. */
function staleParams(vars: Record<string, Float32Array>, nets: Pick<NetVars, 'vars' | 'stats'>[]): string[] {
  const known = new Set(nets.flatMap((p) => [...p.vars.keys(), ...p.stats.keys()]));
  return Object.keys(vars).filter((k) => !known.has(k));
}
