/**
 * The training loop around a Trainer: pause/resume/stop/step-once, metrics every `logEvery`,
 * sample grids (and 2D mode coverage) every `sampleEvery`, checkpoints every `checkpointEvery`,
 * and the NaN guard (pause, error event naming step and layer, no checkpoint of bad weights).
 * Every `diagEvery` steps the exact layer spectra are computed in the background (`spectra`, off the step's
 * critical path); every `evalEvery` steps image metrics (`evalImages`). An alert monitor (engine/alerts.ts)
 * watches the loop's own stream and logs each alert as an `alert` event.
 * Storage is behind RunSink so the loop stays testable and free of file formats.
 */
import type { EvalMetrics, RunState, TrainerEvent, TrainerEventOf } from '../../../shared/events';
import type { z } from 'zod';
import { SAMPLE_GRID, type Trainer } from './trainer';
import { NonFiniteError } from './nan-guard';
import { encodeCheckpoint } from './checkpoint';
import { createAlertMonitor, type AlertMonitor } from '../alerts';
import type { SpectraResult } from './spectra-runner';
import { decisionField, fieldBounds, realPoints, type DecisionField } from './field';

export type Eval = z.infer<typeof EvalMetrics>;

export type SamplePayload =
  | { kind: 'images'; data: Float32Array; shape: number[] }
  | {
      kind: 'points';
      /** Generator points on the fixed latents, [x0, y0, x1, y1, …]. */
      data: Float32Array;
      modes?: [number, number][];
      /** The same real points at every snapshot, [x0, y0, …]. */
      real?: Float32Array;
      /** D's logits over the data plane (GAN Lab's heatmap). */
      field?: DecisionField;
    };

export interface RunSink {
  appendMetrics(entry: object): Promise<void>;
  writeSample(step: number, sample: SamplePayload): Promise<string>;
  /** One grid of augmented training images as D sees them (written with each sample grid while augmentation is on). */
  writeAugmented?(step: number, sample: Extract<SamplePayload, { kind: 'images' }>): Promise<string>;
  writeCheckpoint(step: number, bytes: Uint8Array): Promise<string>;
  updateStatus(patch: Record<string, unknown>): Promise<void>;
  /** Bytes of the newest checkpoint, if any (used to roll back after a NaN). */
  latestCheckpoint?(): Promise<Uint8Array | null>;
}

export interface LoopOptions {
  trainer: Trainer;
  steps: number;
  sink: RunSink;
  emit: (e: TrainerEvent) => void;
  /** Mode coverage etc. for 2D data, computed on `evalSamples` fresh generator points. */
  evalPoints?: (pts: Float32Array) => Eval;
  evalSamples?: number;
  startPaused?: boolean;
  progressEveryMs?: number;
  /** Restore trainer state from checkpoint bytes (rollback after NaN on resume). */
  restore?: (bytes: Uint8Array) => unknown;
  /**
   * Exact spectra at `step` (every `diagEvery` steps): must read the kernels before it returns (synchronously)
   * and may compute later; the loop does not wait for it and skips a step while one is still running.
   */
  spectra?: (step: number) => Promise<SpectraResult>;
  /** Image metrics at `step` (every `evalEvery` steps and at the last step). */
  evalImages?: (step: number) => Promise<Eval>;
  /** Watch the stream for alerts and log them (default true). */
  alerts?: boolean;
}

export class TrainLoop {
  state: RunState = 'created';
  private paused: boolean;
  private stopRequested = false;
  private stepOnceRequested = false;
  private wake: (() => void) | null = null;
  private lastCheckpointStep = -1;
  private nanPending = false;
  private spectraPending: Promise<void> | null = null;
  private readonly monitor: AlertMonitor | null;
  /** The held-out slice is recorded once per trainer process, on its first metrics event. */
  private splitLogged = false;
  private engineReported = '';

  constructor(private o: LoopOptions) {
    this.paused = !!o.startPaused;
    this.monitor = o.alerts === false ? null : createAlertMonitor();
  }

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.poke();
  }
  stop(): void {
    this.stopRequested = true;
    this.poke();
  }
  stepOnce(): void {
    this.paused = true;
    this.stepOnceRequested = true;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async setState(state: RunState, extra: Record<string, unknown> = {}): Promise<void> {
    this.state = state;
    const step = this.o.trainer.step;
    this.o.emit({ type: 'status', state, step, ...(extra.message ? { message: String(extra.message) } : {}) });
    await this.o.sink.updateStatus({ state, step, ...extra });
  }

  private async emitLog(e: TrainerEvent): Promise<void> {
    this.o.emit(e);
    await this.o.sink.appendMetrics(e);
    for (const a of this.monitor?.push(e) ?? []) {
      const ev: TrainerEvent = { type: 'alert', kind: a.kind, severity: a.severity, step: a.step, message: a.message, ...(a.layer ? { layer: a.layer } : {}), ...(a.cause ? { cause: a.cause } : {}) };
      this.o.emit(ev);
      await this.o.sink.appendMetrics(ev);
    }
  }

  /** Start the background spectra for step `s` unless one is still running. */
  private startSpectra(s: number): void {
    if (!this.o.spectra || this.spectraPending) return;
    let p: Promise<SpectraResult>;
    try {
      p = this.o.spectra(s);
    } catch (err) {
      p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.spectraPending = p
      .then((r) => this.emitLog({ type: 'spectra', step: s, spectra: r.spectra, ms: Math.round(r.ms) }))
      .catch((err: unknown) => {
        this.o.emit({ type: 'error', step: s, message: `spectra: ${err instanceof Error ? err.message : String(err)}`, code: 'diagnostics_failed' });
      })
      .finally(() => {
        this.spectraPending = null;
      });
  }

  async run(): Promise<RunState> {
    const { trainer: tr, steps, sink } = this.o;
    const c = tr.config;
    // a longer run than configured (or than the checkpoint's): the LR line bends at this step instead of jumping
    tr.extendTo(steps);
    this.lastCheckpointStep = tr.step;
    await this.setState(this.paused ? 'paused' : 'running');
    let tWin = performance.now();
    let sWin = tr.step;
    let rate = 0;
    const everyMs = this.o.progressEveryMs ?? 500;
    try {
      while (tr.step < steps && !this.stopRequested) {
        if (this.paused && !this.stepOnceRequested) {
          if (this.state !== 'paused') await this.setState('paused');
          // A command may have arrived while the status was being written: wait only if still paused.
          if (this.paused && !this.stepOnceRequested && !this.stopRequested) await new Promise<void>((r) => (this.wake = r));
          if (this.stopRequested) break;
          if (!this.paused && this.nanPending) await this.rollback();
          if (!this.paused && this.state !== 'running') {
            await this.setState('running');
            tWin = performance.now();
            sWin = tr.step;
          }
          continue;
        }
        const once = this.stepOnceRequested;
        this.stepOnceRequested = false;
        if (once && this.nanPending) await this.rollback();
        const s = tr.step + 1;
        const logNow = s % c.logEvery === 0 || s === steps || once;
        let losses;
        try {
          losses = await tr.advance(logNow);
          await this.reportEngine();
        } catch (err) {
          if (err instanceof NonFiniteError) {
            this.paused = true;
            this.nanPending = true;
            await this.emitLog({ type: 'error', step: err.step, layer: err.layer, message: err.message, code: 'non_finite' });
            await this.setState('paused', { error: err.message, errorStep: err.step, errorLayer: err.layer });
            continue;
          }
          throw err;
        }
        let ev: Eval | undefined;
        if (s % c.sampleEvery === 0 || s === steps) ev = await this.snapshot(s);
        if (logNow) {
          const d = tr.diagnostics();
          await this.emitLog({ type: 'metrics', step: s, ...losses, layers: d.layers, lipschitzBound: d.lipschitzBound, lr: tr.optD.lr, ...this.augFields(), ...(ev ? { eval: ev } : {}) });
        }
        if (c.diagEvery > 0 && s % c.diagEvery === 0) this.startSpectra(s);
        if (this.o.evalImages && c.evalEvery > 0 && (s % c.evalEvery === 0 || s === steps)) {
          await this.emitLog({ type: 'eval', step: s, eval: await this.o.evalImages(s) });
        }
        if (s % c.checkpointEvery === 0 || s === steps) await this.checkpoint();
        const now = performance.now();
        if (now - tWin >= everyMs || s === steps || once) {
          if (now > tWin && s > sWin) rate = ((s - sWin) * 1000) / (now - tWin);
          tWin = now;
          sWin = s;
          this.o.emit({ type: 'progress', step: s, steps, stepsPerSec: rate, etaSec: rate > 0 ? (steps - s) / rate : 0 });
        }
        if (once) await this.setState('paused');
        // let commands (pause/stop) in between steps
        await new Promise<void>((r) => setImmediate(r));
      }
      await this.spectraPending;
      if (this.stopRequested) {
        if (tr.step > this.lastCheckpointStep && !this.nanPending) {
          // the final grid of a stopped run, then its checkpoint
          if (tr.step % c.sampleEvery !== 0) await this.snapshot(tr.step);
          await this.checkpoint();
        }
        await this.setState('stopped');
      } else {
        await this.setState('finished');
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.o.emit({ type: 'error', step: tr.step, message, code: 'trainer_failed' });
      await sink.appendMetrics({ type: 'error', step: tr.step, message, code: 'trainer_failed' }).catch(() => {});
      await this.setState('failed', { error: message }).catch(() => {});
    }
    return this.state;
  }

  /** Which engine computes the step, whenever that changes (the first compiled update, a fall back to tfjs). */
  private async reportEngine(): Promise<void> {
    const e = this.o.trainer.engine;
    if (e.reason === this.engineReported) return;
    this.engineReported = e.reason;
    this.o.emit({ type: 'status', state: this.state, step: this.o.trainer.step, message: `step engine: ${e.reason}` });
    await this.o.sink.updateStatus({ engine: e.engine, engineReason: e.reason });
  }

  /** Augmentation and the overfitting gauge, flat so charts read them like the losses. */
  private augFields(): Partial<TrainerEventOf<'metrics'>> {
    const tr = this.o.trainer;
    if (tr.data.kind !== 'images') return {};
    const g = tr.gauge();
    const held = tr.data.heldOut;
    const out: Partial<TrainerEventOf<'metrics'>> = {
      augMode: tr.aug.mode,
      augP: tr.aug.p,
      ...(tr.aug.ada.rt !== null ? { rt: tr.aug.ada.rt } : {}),
      ...(g ? { dTrainMean: g.dTrain, dHeldOutMean: g.dHeldOut, dGap: g.gap } : {}),
    };
    if (!this.splitLogged && held) out.heldOut = { count: held.count, train: tr.data.count ?? 0, hash: held.hash };
    this.splitLogged = true;
    return out;
  }

  private async rollback(): Promise<void> {
    this.nanPending = false;
    const bytes = await this.o.sink.latestCheckpoint?.();
    if (bytes && this.o.restore) {
      this.o.restore(bytes);
      this.o.emit({ type: 'status', state: 'paused', step: this.o.trainer.step, message: `rolled back to checkpoint at step ${this.o.trainer.step}` });
    }
  }

  private async snapshot(step: number): Promise<Eval | undefined> {
    const tr = this.o.trainer;
    const smp = await tr.sample();
    let ev: Eval | undefined;
    let payload: SamplePayload;
    if (tr.data.kind === 'points') {
      const real = realPoints(tr);
      const field = await decisionField(tr, fieldBounds(real, tr.data.modes));
      payload = { kind: 'points', data: smp.data, modes: tr.data.modes, real, field };
      if (this.o.evalPoints) ev = this.o.evalPoints(await tr.generate(this.o.evalSamples ?? 2500));
    } else payload = { kind: 'images', data: smp.data, shape: smp.shape };
    const p = await this.o.sink.writeSample(step, payload);
    // never the generator's output: samples stay un-augmented; this grid shows the reals as D sees them
    if (tr.data.kind === 'images' && tr.aug.active && this.o.sink.writeAugmented) {
      await this.o.sink.writeAugmented(step, { kind: 'images', ...(await tr.augmentedReals(SAMPLE_GRID)) });
    }
    await this.emitLog({ type: 'sample', step, path: p, ...(ev ? { eval: ev } : {}) });
    return ev;
  }

  async checkpoint(): Promise<void> {
    const tr = this.o.trainer;
    const bad = tr.nonFiniteWeights();
    if (bad) {
      this.paused = true;
      this.nanPending = true;
      const message = `non-finite weights in ${bad} at step ${tr.step}; checkpoint not written (last good one kept)`;
      await this.emitLog({ type: 'error', step: tr.step, layer: bad, message, code: 'non_finite' });
      await this.setState('paused', { error: message, errorStep: tr.step, errorLayer: bad });
      return;
    }
    const bytes = encodeCheckpoint(await tr.getState(), { arch: tr.spec.arch });
    const p = await this.o.sink.writeCheckpoint(tr.step, bytes);
    this.lastCheckpointStep = tr.step;
    await this.emitLog({ type: 'checkpoint', step: tr.step, path: p });
    await this.o.sink.updateStatus({ step: tr.step });
  }
}
