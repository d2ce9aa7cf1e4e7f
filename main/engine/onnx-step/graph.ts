/**
 * A trace → one ONNX model: state inputs `in:<var>`, feeds `feed:<name>`, outputs `out:<var>` (each variable's
 * new value) and `res:<name>` (losses, diagnostics). Kernels whose values no output needs are dropped.
 */
import { encodeModel, type OnnxValueInfo } from '../export/onnx-proto';
import type { Trace, TraceValue } from './trace';
import { GraphBuilder, Layouts, ONNX_TYPE, translateNode } from './translate';

export const OPSET = 18;

export interface CompiledGraph {
  bytes: Uint8Array;
  /** State variables the step reads (tfjs names), with shapes. */
  stateIn: TraceValue[];
  /** Variables the step writes. */
  stateOut: string[];
  feeds: TraceValue[];
  results: string[];
  /** Kernels kept / recorded. */
  kernels: { kept: number; recorded: number; kinds: string[] };
}

export const outName = (varName: string) => `out:${varName}`;
export const resName = (result: string) => `res:${result}`;

function info(v: { name: string; shape: number[]; dtype: TraceValue['dtype'] }, name = v.name): OnnxValueInfo {
  return { name, type: { tensor_type: { elem_type: ONNX_TYPE[v.dtype], shape: { dim: v.shape.map((d) => ({ dim_value: d })) } } } };
}

export function compileTrace(trace: Trace, name = 'train_step'): CompiledGraph {
  const producer = new Map<string, number>();
  trace.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o.name, i)));
  // what the outputs need, walking back from them
  const need = new Set<string>([...trace.stateOut.values(), ...trace.results.values()]);
  const keep = new Set<number>();
  const stack = [...need];
  while (stack.length) {
    const v = stack.pop()!;
    const i = producer.get(v);
    if (i === undefined || keep.has(i)) continue;
    keep.add(i);
    for (const u of Object.values(trace.nodes[i].inputs)) {
      if (!need.has(u)) {
        need.add(u);
        stack.push(u);
      }
    }
  }
  const b = new GraphBuilder();
  const value = (n: string) => {
    const v = trace.values.get(n);
    if (!v) throw new Error(`trace has no value ${n}`);
    return v;
  };
  for (const c of trace.constants) if (need.has(c.name)) b.initializer(c.name, c.dtype, c.shape, c.data);
  const layouts = new Layouts(b, (n) => value(n).shape);
  trace.nodes.forEach((n, i) => keep.has(i) && translateNode(b, layouts, n, value));
  const outputs: OnnxValueInfo[] = [];
  for (const [v, src] of trace.stateOut) {
    b.node('Identity', [layouts.nhwc(src)], [outName(v)]);
    outputs.push(info(value(src), outName(v)));
  }
  for (const [r, src] of trace.results) {
    b.node('Identity', [layouts.nhwc(src)], [resName(r)]);
    outputs.push(info(value(src), resName(r)));
  }
  const stateIn = trace.stateIn.filter((v) => need.has(v.name));
  const feeds = trace.feeds.filter((v) => need.has(v.name));
  const bytes = encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'sngan-studio',
    producer_version: '1',
    graph: { name, node: b.nodes, initializer: b.initializers, input: [...stateIn, ...feeds].map((v) => info(v)), output: outputs },
  });
  const kinds = [...new Set([...keep].map((i) => trace.nodes[i].kernel))].sort();
  return {
    bytes,
    stateIn: stateIn.map((v) => ({ name: v.name.slice('in:'.length), shape: v.shape, dtype: v.dtype })),
    stateOut: [...trace.stateOut.keys()],
    feeds: feeds.map((v) => ({ ...v, name: v.name.slice('feed:'.length) })),
    results: [...trace.results.keys()],
    kernels: { kept: keep.size, recorded: trace.nodes.length, kinds },
  };
}
