/**
 * Runs a trainer's D and G updates as compiled ONNX graphs in onnxruntime-node, the tfjs model staying the source
 * of truth for everything else.
 *
 * The first D update (and the first G update) is traced on tfjs for real, compiled, and run once more in
 * onnxruntime from the same starting state and feeds; the two results are compared (checkUpdate) and onnxruntime's
 * is kept, so every update of a run is computed by the same engine and a resumed run continues bit-for-bit. From
 * then on the state lives on the host between runs; the tfjs variables are refreshed from it only when something
 * reads them (syncToTfjs: diagnostics, samples, metrics, checkpoints, exports).
 *
 * Whatever goes wrong — a kernel without a translation, a graph onnxruntime refuses, a mismatch, a failure
 * mid-training — the update is done on tfjs from the same state and feeds, and with engine 'auto' training goes on
 * there, the reason kept in `info` (engine 'onnxruntime' stops instead).
 */
import * as tf from '@tensorflow/tfjs';
import type { EngineChoice } from '../../../shared/config';
import type { HostTensor } from '../augment/index';
import { compileTrace } from './graph';
import { CompiledUpdate, type HostState } from './session';
import { traceUpdate, type Trace } from './trace';

export type StepFeeds = Record<string, HostTensor>;

/** What the runner needs of a trainer: the update math as tfjs code (traced once), and D's kernels for diagnostics. */
export interface StepHost {
  /** One D update on tfjs, returning the tensors the compiled step outputs (results) — losses, gradAbs, SN u/v, grad norms. */
  tracedD(t: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
  tracedG(t: Record<string, tf.Tensor>): Record<string, tf.Tensor>;
}

export interface EngineInfo {
  engine: 'onnxruntime' | 'tfjs';
  /** One line for status and app.info. */
  reason: string;
  provider?: string;
  threads?: number;
}

export type UpdateOutcome =
  | { kind: 'compiled'; results: Record<string, Float32Array>; traced: boolean; before: HostState }
  /** tfjs already did this update (it was traced, and the compiled step could not be used). */
  | { kind: 'tfjs-done'; results: Record<string, Float32Array> }
  /** Nothing applied: do this update on tfjs (the tfjs variables hold the state it starts from). */
  | { kind: 'redo' };

/** Results every update fetches; the rest (diagnostics) only when asked. */
export const CORE_RESULTS = { D: ['dLoss', 'dReal', 'dFake', 'signSum', 'gradAbs'], G: ['gLoss', 'gradAbs'] } as const;

/**
 * Does the compiled update agree with tfjs's? Results within 1e-3 relative. State by kind, as the norm of the
 * difference against the norm of the values (over all variables of the kind, so parameters whose gradient is
 * mathematically zero — a bias before batch norm — and whose Adam step is therefore noise, cannot dominate): Adam
 * moments within 5 % (they carry the gradients, and the kinks of relu and |x| move under float32 reassociation:
 * one flipped unit of 65,536 in a small D's first layer moved a G gradient by 0.6 %, and the gradient penalty's
 * double backward amplifies more), everything else within 0.1 %. A wrong translation is off
 * by O(1): a wrong gradient flips about half of Adam's first steps, ‖Δw‖ ≈ lr·√n. Returns what differs, or null.
 */
export function checkUpdate(
  tfjsAfter: HostState,
  ortAfter: HostState,
  tfjsResults: Record<string, Float32Array>,
  ortResults: Record<string, Float32Array>,
): string | null {
  for (const [k, want] of Object.entries(tfjsResults)) {
    const got = ortResults[k];
    if (!got || got.length !== want.length) return `result ${k} missing`;
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i] - want[i]) <= 1e-3 * Math.abs(want[i]) + 1e-5)) return `result ${k}: ${got[i]} vs tfjs ${want[i]}`;
    }
  }
  // parameters whose gradient is noise (‖m‖ under 1e-3 of the largest of their network's): skipped with their
  // moments and EMA, since Adam turns any noise into a full-size step
  const mNorm = new Map<string, number>();
  for (const [name, t] of tfjsAfter) if (name.endsWith('/adam_m')) mNorm.set(name.slice(0, -'/adam_m'.length), Math.sqrt(t.data.reduce((a, x) => a + x * x, 0)));
  const largest = new Map<string, number>();
  for (const [v, n] of mNorm) largest.set(v.split('/')[0], Math.max(largest.get(v.split('/')[0]) ?? 0, n));
  const noise = (base: string) => mNorm.has(base) && mNorm.get(base)! < 1e-3 * largest.get(base.split('/')[0])!;
  const groups = new Map<string, { diff: number; norm: number }>();
  for (const [name, t] of tfjsAfter) {
    const o = ortAfter.get(name);
    if (!o) return `state ${name} missing`;
    if (noise(name.replace(/\/(adam_m|adam_v|ema)$/, ''))) continue;
    const kind = /\/adam_[mv]$/.test(name) ? 'Adam moments' : (name.match(/\/(ema|sn_u|sn_v)$/)?.[1] ?? (/moving|running/.test(name) ? 'BN statistics' : 'weights'));
    const g = groups.get(kind) ?? { diff: 0, norm: 0 };
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(o.data[i])) return `state ${name} is not finite`;
      g.diff += (o.data[i] - t.data[i]) ** 2;
      g.norm += t.data[i] ** 2;
    }
    groups.set(kind, g);
  }
  for (const [kind, g] of groups) {
    const rel = Math.sqrt(g.diff) / Math.max(Math.sqrt(g.norm), 1e-30);
    if (rel > (kind === 'Adam moments' ? 5e-2 : 1e-3)) return `${kind}: ‖Δ‖ is ${rel.toExponential(2)} of their norm`;
  }
  return null;
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);

export class CompiledRunner {
  private readonly updates: { D: CompiledUpdate | null; G: CompiledUpdate | null } = { D: null, G: null };
  /** Host state of every variable a compiled update reads; null until the first compiled update (or after tfjs took over). */
  private state: HostState | null = null;
  /** Variables whose host value is newer than tfjs's. */
  private readonly dirty = new Set<string>();
  /** Each state variable's tfjs data when the runner last looked: a different one means tfjs was written behind its back. */
  private readonly seen = new Map<string, object>();
  private offReason: string | null = null;
  info: EngineInfo;

  constructor(
    private readonly host: StepHost,
    private readonly choice: Exclude<EngineChoice, 'tfjs'>,
    private readonly threads: number,
    /** Test hook: make the compiled graph fail to load or run. */
    private readonly inject?: { failCreate?: boolean; failRunAt?: number },
  ) {
    this.info = { engine: 'onnxruntime', reason: 'onnxruntime: the step compiles on the first update' };
  }

  get active(): boolean {
    return this.offReason === null;
  }

  /** Refresh the tfjs variables from the host state (before anything reads them). */
  syncToTfjs(): void {
    if (!this.state || this.dirty.size === 0) return;
    const vars = tf.engine().registeredVariables;
    for (const name of this.dirty) {
      const h = this.state.get(name)!;
      const v = vars[name];
      if (v) tf.tidy(() => v.assign(tf.tensor(h.data, h.shape)));
    }
    this.dirty.clear();
    this.noteTfjs();
  }

  /** Record the tfjs variables' current data as known (after the runner, or the trainer through it, wrote them). */
  noteTfjs(): void {
    if (!this.state) return;
    const vars = tf.engine().registeredVariables;
    for (const name of this.state.keys()) if (vars[name]) this.seen.set(name, vars[name].dataId);
  }

  /** A variable assigned on tfjs since the runner last looked (not through the trainer's restore): its value wins. */
  private adoptTfjsWrites(): void {
    if (!this.state) return;
    const vars = tf.engine().registeredVariables;
    for (const [name, h] of this.state) {
      const v = vars[name];
      if (!v || v.dataId === this.seen.get(name)) continue;
      this.state.set(name, { data: Float32Array.from(v.dataSync() as Float32Array), shape: h.shape });
      this.dirty.delete(name);
      this.seen.set(name, v.dataId);
    }
  }

  /** The tfjs variables are the truth again (a restore, a tfjs update): the host copy goes. Call after syncToTfjs. */
  invalidate(): void {
    this.syncToTfjs();
    this.state = null;
  }

  /** The compiled updates' state, read from the tfjs variables (after a restore or a tfjs update). */
  private readState(): HostState {
    const vars = tf.engine().registeredVariables;
    const s: HostState = new Map();
    for (const u of [this.updates.D, this.updates.G]) {
      for (const v of u?.graph.stateIn ?? []) s.set(v.name, { data: Float32Array.from(vars[v.name].dataSync() as Float32Array), shape: [...v.shape] });
    }
    for (const name of s.keys()) this.seen.set(name, vars[name].dataId);
    return s;
  }

  private turnOff(reason: string): void {
    if (this.choice === 'onnxruntime') throw new Error(`engine onnxruntime: ${reason}`);
    this.invalidate();
    this.offReason = reason;
    this.info = { engine: 'tfjs', reason: `tfjs (onnxruntime off: ${reason})` };
  }

  async update(which: 'D' | 'G', feeds: StepFeeds, step: number, extra: readonly string[] | 'all' = []): Promise<UpdateOutcome> {
    if (!this.active) return { kind: 'redo' };
    const u = this.updates[which];
    if (!u) return this.compile(which, feeds, step);
    this.state ??= this.readState();
    this.adoptTfjsWrites();
    const before = new Map(this.state);
    let out;
    try {
      if (this.inject?.failRunAt === step) throw new Error('injected failure');
      const want = extra === 'all' ? undefined : [...CORE_RESULTS[which], ...extra];
      out = await u.run(this.state, feeds, want);
    } catch (e) {
      // the host state is untouched: tfjs continues from it, losing nothing
      this.turnOff(`the compiled ${which} update failed at step ${step}: ${msg(e)}`);
      return { kind: 'redo' };
    }
    const loss = out.results[which === 'D' ? 'dLoss' : 'gLoss'][0];
    if (!Number.isFinite(loss) || !Number.isFinite(out.results.gradAbs[0])) {
      // not applied; tfjs redoes it so the NaN guard can name the layer (or, if tfjs is fine, take over)
      this.syncToTfjs();
      return { kind: 'redo' };
    }
    for (const [k, v] of out.state) {
      this.state.set(k, v);
      this.dirty.add(k);
    }
    return { kind: 'compiled', results: out.results, traced: false, before };
  }

  /** tfjs produced a finite update where the compiled one did not. */
  disagreeOnFinite(step: number): void {
    this.turnOff(`the compiled step gave a non-finite loss at step ${step} where tfjs did not`);
  }

  private async compile(which: 'D' | 'G', feeds: StepFeeds, step: number): Promise<UpdateOutcome> {
    this.syncToTfjs();
    const t: Record<string, tf.Tensor> = {};
    for (const [k, h] of Object.entries(feeds)) t[k] = tf.tensor(h.data, h.shape);
    let trace: Trace;
    let tfjsResults: Record<string, Float32Array>;
    try {
      const traced = traceUpdate(t, () => (which === 'D' ? this.host.tracedD(t) : this.host.tracedG(t)), (r) => r);
      trace = traced.trace;
      tfjsResults = Object.fromEntries(Object.entries(traced.value).map(([k, x]) => [k, Float32Array.from(x.dataSync() as Float32Array)]));
      tf.dispose(Object.values(traced.value));
    } catch (e) {
      tf.dispose(Object.values(t));
      // tracing runs the real update: it may have been applied in part, so nothing can be trusted but a restore
      throw new Error(`tracing the ${which} update failed: ${msg(e)}`);
    }
    tf.dispose(Object.values(t));
    const before: HostState = new Map();
    for (const v of trace.stateIn) before.set(v.name.slice('in:'.length), this.state?.get(v.name.slice('in:'.length)) ?? { data: v.start, shape: v.shape });
    const vars = tf.engine().registeredVariables;
    const tfjsAfter: HostState = new Map();
    for (const name of trace.stateOut.keys()) tfjsAfter.set(name, { data: Float32Array.from(vars[name].dataSync() as Float32Array), shape: [...vars[name].shape] });
    const restoreBefore = () => {
      for (const name of trace.stateOut.keys()) {
        const h = before.get(name);
        if (h) tf.tidy(() => vars[name].assign(tf.tensor(h.data, h.shape)));
      }
    };
    const loss = tfjsResults[which === 'D' ? 'dLoss' : 'gLoss'][0];
    if (!Number.isFinite(loss) || !Number.isFinite(tfjsResults.gradAbs[0])) {
      // the traced update applied a bad step: put the state back and let the tfjs path's NaN guard report it
      restoreBefore();
      return { kind: 'redo' };
    }
    let u: CompiledUpdate;
    let out;
    try {
      if (this.inject?.failCreate) throw new Error('injected failure');
      const graph = compileTrace(trace, `${which}_update`);
      u = await CompiledUpdate.create(graph, { threads: this.threads });
      out = await u.run(before, feeds);
    } catch (e) {
      this.turnOff(`the ${which} update does not compile (step ${step}): ${msg(e)}`);
      return { kind: 'tfjs-done', results: tfjsResults };
    }
    const bad = checkUpdate(tfjsAfter, out.state, tfjsResults, out.results);
    if (bad) {
      await u.release();
      this.turnOff(`the compiled ${which} update differs from tfjs at step ${step} (${bad})`);
      return { kind: 'tfjs-done', results: tfjsResults };
    }
    this.updates[which] = u;
    this.state ??= new Map();
    // (the other update's variables, when it compiled earlier and tfjs has since been the truth)
    for (const [k, v] of this.readState()) if (!this.state.has(k)) this.state.set(k, v);
    for (const [k, v] of before) if (!this.state.has(k)) this.state.set(k, v);
    for (const [k, v] of out.state) {
      this.state.set(k, v);
      this.dirty.add(k);
    }
    this.noteTfjs();
    this.info = { engine: 'onnxruntime', reason: `onnxruntime-node (${u.provider}, ${u.threads} threads): compiled step checked against tfjs`, provider: u.provider, threads: u.threads };
    return { kind: 'compiled', results: out.results, traced: true, before };
  }

  async dispose(): Promise<void> {
    for (const u of [this.updates.D, this.updates.G]) await u?.release();
  }
}
