/**
 * Records the tfjs kernels that one real update executes (forward, every gradient, the optimiser's arithmetic) as a
 * flat dataflow graph, by watching the engine's single kernel entry point (`runKernel`) and `Variable.assign`.
 *
 * Every value a kernel reads is one of: the output of an earlier recorded kernel; a variable's value at the start
 * (a state input, by variable name); a named feed (host-drawn inputs: batch, latents, ε, step sizes); or anything
 * else, which must be a constant of the step and is copied into the graph. A value that changes from step to step
 * but is not a feed would be baked in silently, so the compiled-step tests trace two different steps and require
 * identical constants.
 */
import * as tf from '@tensorflow/tfjs';

export type DType = 'float32' | 'int32' | 'bool';

export interface TraceValue {
  name: string;
  shape: number[];
  dtype: DType;
}

export interface TraceState extends TraceValue {
  /** The variable's value when the update first touched it (the state the update started from). */
  start: Float32Array;
}

export interface TraceConstant extends TraceValue {
  data: Float32Array | Int32Array | Uint8Array;
}

export interface TraceNode {
  kernel: string;
  attrs: Record<string, unknown>;
  /** Kernel input key → value name; AddN/Concat-style array inputs are keyed '0', '1', … */
  inputs: Record<string, string>;
  outputs: TraceValue[];
}

export interface Trace {
  nodes: TraceNode[];
  /** Variables read, by tfjs variable name (their value names are `in:<name>`). */
  stateIn: TraceState[];
  feeds: TraceValue[];
  constants: TraceConstant[];
  /** Variable name → the value it was last assigned. */
  stateOut: Map<string, string>;
  /** Result name → value name. */
  results: Map<string, string>;
  /** Every value by name (kernel outputs, state inputs, feeds, constants). */
  values: Map<string, TraceValue>;
}

export class UntraceableError extends Error {
  readonly code = 'untraceable';
}

interface EngineLike {
  clone(x: tf.Tensor): tf.Tensor;
  runKernel(name: string, inputs: Record<string, tf.Tensor | tf.Tensor[]>, attrs?: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

const stateName = (varName: string) => `in:${varName}`;

function dtypeOf(t: tf.Tensor): DType {
  if (t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool') return t.dtype;
  throw new UntraceableError(`a ${t.dtype} tensor cannot be compiled`);
}

/**
 * Run `f` (one update, on tfjs, for real) while recording it. `feeds` are the host-drawn input tensors by name;
 * `results(value)` names the tensors the compiled step must return (losses, diagnostics).
 */
export function traceUpdate<T>(
  feeds: Record<string, tf.Tensor>,
  f: () => T,
  results: (value: T) => Record<string, tf.Tensor>,
): { trace: Trace; value: T } {
  const engine = tf.engine() as unknown as EngineLike;
  const nameOf = new Map<number, string>();
  // The engine keeps clones of a kernel's inputs and outputs for the backward pass (engine.clone, run inside the
  // kernel call, so not recorded as a kernel): a clone is its source's value. A variable's source is named at once
  // (it may be assigned before the clone is read); a kernel's own outputs get their names only after the call.
  const cloneOf = new Map<number, tf.Tensor>();
  const varValue = new Map<string, string>();
  const trace: Trace = { nodes: [], stateIn: [], feeds: [], constants: [], stateOut: new Map(), results: new Map(), values: new Map() };
  const add = (v: TraceValue) => {
    trace.values.set(v.name, v);
    return v.name;
  };
  for (const [name, t] of Object.entries(feeds)) {
    const v = { name: `feed:${name}`, shape: [...t.shape], dtype: dtypeOf(t) };
    trace.feeds.push(v);
    nameOf.set(t.id, add(v));
  }
  let nextConst = 0;
  let nextValue = 0;
  const ref = (t: tf.Tensor): string => {
    if (t instanceof tf.Variable) {
      let n = varValue.get(t.name);
      if (!n) {
        if (t.dtype !== 'float32') throw new UntraceableError(`variable ${t.name} is ${t.dtype}: compiled state is float32`);
        const v = { name: stateName(t.name), shape: [...t.shape], dtype: dtypeOf(t), start: Float32Array.from(t.dataSync() as Float32Array) };
        trace.stateIn.push(v);
        n = add(v);
        varValue.set(t.name, n);
      }
      return n;
    }
    const known = nameOf.get(t.id);
    if (known) return known;
    const dtype = dtypeOf(t);
    const src = cloneOf.get(t.id);
    if (src) return ref(src);
    const raw = t.dataSync();
    const data = dtype === 'bool' ? Uint8Array.from(raw as Uint8Array) : dtype === 'int32' ? Int32Array.from(raw as Int32Array) : Float32Array.from(raw as Float32Array);
    const c: TraceConstant = { name: `const:${nextConst++}`, shape: [...t.shape], dtype, data };
    trace.constants.push(c);
    nameOf.set(t.id, add(c));
    return c.name;
  };

  const runKernel = engine.runKernel;
  const clone = engine.clone;
  const assign = tf.Variable.prototype.assign;
  let depth = 0;
  engine.runKernel = function (this: EngineLike, kernel, inputs, attrs) {
    if (depth > 0) return runKernel.call(this, kernel, inputs, attrs);
    const ins: Record<string, string> = {};
    for (const [k, x] of Object.entries(inputs ?? {})) {
      if (Array.isArray(x)) throw new UntraceableError(`kernel ${kernel}: nested tensor list in input ${k}`);
      if (x instanceof tf.Tensor) ins[k] = ref(x);
      else if (x != null) throw new UntraceableError(`kernel ${kernel}: input ${k} is not a tensor`);
    }
    depth++;
    let out: tf.Tensor | tf.Tensor[];
    try {
      out = runKernel.call(this, kernel, inputs, attrs);
    } finally {
      depth--;
    }
    const outs = Array.isArray(out) ? out : [out];
    const outputs = outs.map((o) => {
      const v = { name: `v${nextValue++}:${kernel}`, shape: [...o.shape], dtype: dtypeOf(o) };
      nameOf.set(o.id, add(v));
      return v;
    });
    trace.nodes.push({ kernel, attrs: { ...(attrs ?? {}) }, inputs: ins, outputs });
    return out;
  };
  engine.clone = function (this: EngineLike, x: tf.Tensor) {
    const y = clone.call(this, x);
    if (x instanceof tf.Variable) nameOf.set(y.id, ref(x));
    else cloneOf.set(y.id, x);
    return y;
  };
  tf.Variable.prototype.assign = function (this: tf.Variable, x: tf.Tensor) {
    const n = ref(x);
    ref(this); // a variable assigned before it is read still has a start value
    assign.call(this, x);
    varValue.set(this.name, n);
    trace.stateOut.set(this.name, n);
  };
  let value: T;
  try {
    value = f();
    for (const [k, t] of Object.entries(results(value))) trace.results.set(k, ref(t));
  } finally {
    engine.runKernel = runKernel;
    engine.clone = clone;
    tf.Variable.prototype.assign = assign;
  }
  return { trace, value };
}

/** The inputs of an array-input kernel (AddN, Concat: recorded under keys '0', '1', …), in order. */
export function arrayInputs(node: TraceNode): string[] {
  return Object.keys(node.inputs).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b)).map((k) => node.inputs[k]);
}
