/**
 * Messages between a trainer process and its host: commands in, events out.
 * Both sides validate with these schemas. No Node, no DOM.
 */
import { z } from 'zod';

export const RunState = z.enum(['created', 'running', 'paused', 'finished', 'stopped', 'failed']);
export type RunState = z.infer<typeof RunState>;

const step = z.number().int().min(0);

export const LayerDiag = z.object({
  name: z.string(),
  /** σ of the raw weight W (power iteration, many steps). */
  sigmaRaw: z.number(),
  /** σ of the weight actually used, W̄ = W/σ̂ for SN layers (≈1), else W. */
  sigmaBar: z.number(),
  /** L2 norm of the gradient of this layer's kernel at the last D update. */
  gradNorm: z.number(),
});
export type LayerDiag = z.infer<typeof LayerDiag>;

export const EvalMetrics = z.object({
  modesCovered: z.number().optional(),
  modesTotal: z.number().optional(),
  highQualityFraction: z.number().optional(),
  klToUniform: z.number().optional(),
});

export const TrainerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), step, steps: step, stepsPerSec: z.number(), etaSec: z.number() }),
  z.object({
    type: z.literal('metrics'),
    step,
    dLoss: z.number(),
    gLoss: z.number(),
    dReal: z.number(),
    dFake: z.number(),
    layers: z.array(LayerDiag),
    lipschitzBound: z.number(),
    lr: z.number().optional(),
    eval: EvalMetrics.optional(),
  }),
  z.object({ type: z.literal('sample'), step, path: z.string(), eval: EvalMetrics.optional() }),
  z.object({ type: z.literal('checkpoint'), step, path: z.string() }),
  z.object({ type: z.literal('error'), step: step.optional(), layer: z.string().optional(), message: z.string(), code: z.string() }),
  z.object({
    type: z.literal('status'),
    state: RunState,
    step: step.optional(),
    backend: z.string().optional(),
    runDir: z.string().optional(),
    message: z.string().optional(),
  }),
]);
export type TrainerEvent = z.infer<typeof TrainerEvent>;
export type TrainerEventOf<T extends TrainerEvent['type']> = Extract<TrainerEvent, { type: T }>;

export const TrainerCommand = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    /** Run folder holding config.json (created by the host with the run store). */
    runDir: z.string().min(1),
    workspace: z.string().min(1),
    /** Continue from the newest checkpoint in runDir. */
    resume: z.boolean().default(false),
    /** Override the configured total steps (e.g. to extend a resumed run). */
    steps: z.number().int().positive().optional(),
    /** Start paused (useful for step-once debugging). */
    paused: z.boolean().default(false),
  }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('stepOnce') }),
]);
export type TrainerCommand = z.infer<typeof TrainerCommand>;
export type TrainerCommandInput = z.input<typeof TrainerCommand>;
