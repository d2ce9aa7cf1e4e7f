/**
 * The translation table: each recorded tfjs kernel → ONNX ops (opset 18), NHWC kept at the graph's edges.
 * Convolutions run in ONNX's NCHW between transposes (ORT's layout optimiser cancels the pairs), with tfjs's own
 * padding arithmetic (backend_util.computeConv2DInfo), so 'same' with stride 2 pads exactly as tfjs does.
 *   Conv2D                → Conv
 *   Conv2DBackpropInput   → ConvTranspose (explicit pads, output_padding to the recorded input shape)
 *   Conv2DBackpropFilter  → Conv over transposed tensors: batch ↔ channels, dilation = the forward stride
 *   BatchMatMul           → MatMul (transposes of the last two axes where asked)
 *   Step, Select, Greater → Where / Greater;  Mean, Sum → ReduceMean / ReduceSum;  AddN → Sum
 * A kernel not in the table raises UnsupportedKernelError, which the engine turns into a fallback with its name.
 */
import * as tf from '@tensorflow/tfjs';
import { AttrType, type Attr, type OnnxNode, type OnnxTensor } from '../export/onnx-proto';
import { type DType, type TraceNode, type TraceValue } from './trace';

export class UnsupportedKernelError extends Error {
  readonly code = 'unsupported_kernel';
  constructor(readonly kernel: string, detail = '') {
    super(`kernel ${kernel}${detail ? ` (${detail})` : ''} has no ONNX translation`);
  }
}

export const ONNX_TYPE: Record<DType, number> = { float32: 1, int32: 6, bool: 9 };
const INT64 = 7;

const ints = (name: string, v: number[]): Attr => ({ name, type: AttrType.INTS, ints: v });
const int = (name: string, v: number): Attr => ({ name, type: AttrType.INT, i: v });
const float = (name: string, v: number): Attr => ({ name, type: AttrType.FLOAT, f: v });

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

/** Nodes and initializers being written; names are unique per builder. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private n = 0;

  tmp(hint: string): string {
    return `t${this.n++}:${hint}`;
  }

  node(op: string, inputs: string[], outputs: string[], attribute: Attr[] = []): void {
    this.nodes.push({ op_type: op, input: inputs, output: outputs, name: `${op}_${this.nodes.length}`, attribute });
  }

  /** One op with a fresh output name. */
  op(op: string, inputs: string[], attribute: Attr[] = []): string {
    const out = this.tmp(op);
    this.node(op, inputs, [out], attribute);
    return out;
  }

  initializer(name: string, dtype: DType | 'int64', shape: number[], data: ArrayLike<number>): string {
    let raw: Uint8Array;
    if (dtype === 'int64') raw = new Uint8Array(BigInt64Array.from(Array.from(data, (x) => BigInt(x))).buffer);
    else if (dtype === 'float32') raw = new Uint8Array(Float32Array.from(data).buffer);
    else if (dtype === 'int32') raw = new Uint8Array(Int32Array.from(data).buffer);
    else raw = Uint8Array.from(data);
    this.initializers.push({ name, dims: shape, data_type: dtype === 'int64' ? INT64 : ONNX_TYPE[dtype], raw_data: raw });
    return name;
  }

  const(dtype: DType | 'int64', shape: number[], data: ArrayLike<number>): string {
    return this.initializer(this.tmp('const'), dtype, shape, data);
  }

  int64s(v: number[]): string {
    return this.const('int64', [v.length], v);
  }
}

/**
 * Where a rank-4 value is held: tfjs's NHWC (the trace name itself), NCHW (a second name), or both. A convolution's
 * output stays NCHW, elementwise ops and reductions run in whichever layout their inputs have, and the NHWC form is
 * made only where something needs it (a reshape, a graph output): so the layout transposes between layers vanish
 * instead of relying on ORT to cancel pairs (which a broadcast or reshape in between stops).
 */
export class Layouts {
  private readonly nchwOf = new Map<string, string>();
  /** Values whose NHWC form is not written yet. */
  private readonly pending = new Set<string>();
  private readonly broadcasts = new Map<string, string>();

  constructor(
    private readonly b: GraphBuilder,
    private readonly shapeOf: (name: string) => number[],
  ) {}

  hasNchw(name: string): boolean {
    return this.nchwOf.has(name);
  }

  /** The NHWC form (written now if only the NCHW one exists). */
  nhwc(name: string): string {
    if (this.pending.delete(name)) this.b.node('Transpose', [this.nchwOf.get(name)!], [name], [ints('perm', TO_NHWC)]);
    return name;
  }

  /** The NCHW form (a transpose of the NHWC one the first time it is asked for). */
  nchw(name: string): string {
    let m = this.nchwOf.get(name);
    if (!m) {
      m = this.b.op('Transpose', [name], [ints('perm', TO_NCHW)]);
      this.nchwOf.set(name, m);
    }
    return m;
  }

  /** A fresh ONNX name for `out` computed in NCHW; its NHWC form is written on demand. */
  produceNchw(out: string): string {
    const m = this.b.tmp('nchw');
    this.nchwOf.set(out, m);
    this.pending.add(out);
    return m;
  }

  /** `out` is `src` (an identity): it shares src's forms. */
  alias(out: string, src: string): void {
    if (this.nchwOf.has(src) && this.pending.has(src)) {
      this.nchwOf.set(out, this.nchwOf.get(src)!);
      this.pending.add(out);
      return;
    }
    this.b.node('Identity', [src], [out]);
    if (this.nchwOf.has(src)) this.nchwOf.set(out, this.nchwOf.get(src)!);
  }

  /**
   * A lower-rank or size-1-broadcast operand of an NCHW elementwise op, in NCHW broadcast form: right-aligned to
   * NHWC, padded to rank 4 and permuted (a reshape when only one of its dimensions is above 1).
   */
  broadcastNchw(name: string): string {
    const s = this.shapeOf(name);
    if (s.length === 0 || s.every((d) => d === 1)) return name;
    if (this.nchwOf.has(name)) return this.nchwOf.get(name)!;
    let m = this.broadcasts.get(name);
    if (m) return m;
    const p = [...Array(4 - s.length).fill(1), ...s];
    const target = TO_NCHW.map((i) => p[i]);
    // a reshape does it when the dimensions above 1 keep their order under the permutation
    const moved = [...p.keys()].filter((i) => p[i] !== 1).map((i) => TO_NCHW.indexOf(i));
    const sameOrder = moved.every((v, i) => i === 0 || v > moved[i - 1]);
    if (sameOrder) m = this.b.op('Reshape', [name, this.b.int64s(target)]);
    else m = this.b.op('Transpose', [s.length === 4 ? name : this.b.op('Reshape', [name, this.b.int64s(p)])], [ints('perm', TO_NCHW)]);
    this.broadcasts.set(name, m);
    return m;
  }
}

interface Ctx {
  b: GraphBuilder;
  node: TraceNode;
  value(name: string): TraceValue;
  layouts: Layouts;
}

type Rule = (c: Ctx, x: (key: string) => string, out: string) => void;

const unary = (op: string): Rule => (c, x, out) => c.b.node(op, [x('x')], [out]);
const binary = (op: string): Rule => (c, x, out) => c.b.node(op, [x('a'), x('b')], [out]);


function conv2dInfo(c: Ctx, xShape: number[], filterShape: number[]) {
  const a = c.node.attrs as { strides: number | [number, number]; pad: unknown; dilations?: number | [number, number]; dimRoundingMode?: string; dataFormat?: string };
  if (a.dataFormat && a.dataFormat !== 'NHWC') throw new UnsupportedKernelError(c.node.kernel, `dataFormat ${a.dataFormat}`);
  if (typeof a.pad !== 'string' && typeof a.pad !== 'number') throw new UnsupportedKernelError(c.node.kernel, 'explicit pad lists');
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number], a.strides, a.dilations ?? 1,
    a.pad as 'same' | 'valid' | number, a.dimRoundingMode as 'floor' | undefined, false, 'channelsLast');
  const p = info.padInfo;
  return { info, pads: [p.top, p.left, p.bottom, p.right], strides: [info.strideHeight, info.strideWidth], dilations: [info.dilationHeight, info.dilationWidth] };
}

const TABLE: Record<string, Rule> = {
  Abs: unary('Abs'),
  Neg: unary('Neg'),
  Relu: unary('Relu'),
  Sqrt: unary('Sqrt'),
  Tanh: unary('Tanh'),
  Sigmoid: unary('Sigmoid'),
  Sign: unary('Sign'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Identity: unary('Identity'),
  Softplus: unary('Softplus'),
  Square: (c, x, out) => c.b.node('Mul', [x('x'), x('x')], [out]),
  Add: binary('Add'),
  Sub: binary('Sub'),
  Multiply: binary('Mul'),
  RealDiv: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  Greater: binary('Greater'),
  GreaterEqual: binary('GreaterOrEqual'),
  Less: binary('Less'),
  LessEqual: binary('LessOrEqual'),
  Equal: binary('Equal'),
  LogicalNot: unary('Not'),
  AddN: (c, x, out) => c.b.node('Sum', arrayKeys(c.node).map(x), [out]),
  LeakyRelu: (c, x, out) => c.b.node('LeakyRelu', [x('x')], [out], [float('alpha', Number(c.node.attrs.alpha))]),
  Step: (c, x, out) => {
    // tfjs: x > 0 ? 1 : alpha (only ever the derivative of relu-like ops here)
    const dt = c.value(out).dtype;
    const gt = c.b.op('Greater', [x('x'), c.b.const(dt, [], [0])]);
    c.b.node('Where', [gt, c.b.const(dt, [], [1]), c.b.const(dt, [], [Number(c.node.attrs.alpha ?? 0)])], [out]);
  },
  Select: (c, x, out) => c.b.node('Where', [x('condition'), x('t'), x('e')], [out]),
  ClipByValue: (c, x, out) => {
    const dt = c.value(out).dtype;
    c.b.node('Clip', [x('x'), c.b.const(dt, [], [Number(c.node.attrs.clipValueMin)]), c.b.const(dt, [], [Number(c.node.attrs.clipValueMax)])], [out]);
  },
  Cast: (c, x, out) => {
    const to = c.node.attrs.dtype as DType;
    if (!(to in ONNX_TYPE)) throw new UnsupportedKernelError('Cast', `to ${to}`);
    c.b.node('Cast', [x('x')], [out], [int('to', ONNX_TYPE[to])]);
  },
  // the recorded output shape already has any -1 resolved
  // (a reshape to the shape a value already has is an identity: translateNode aliases it)
  Reshape: (c, x, out) => c.b.node('Reshape', [x('x'), c.b.int64s(c.value(out).shape)], [out]),

  Transpose: (c, x, out) => c.b.node('Transpose', [x('x')], [out], [ints('perm', (c.node.attrs.perm as number[]).map(Number))]),
  Tile: (c, x, out) => c.b.node('Tile', [x('x'), c.b.int64s((c.node.attrs.reps as number[]).map(Number))], [out]),
  ZerosLike: (c, _x, out) => constantLike(c, out, 0),
  OnesLike: (c, _x, out) => constantLike(c, out, 1),
  Fill: (c, _x, out) => constantLike(c, out, Number(c.node.attrs.value)),
  Mean: reduce('ReduceMean'),
  Sum: reduce('ReduceSum'),
  Max: reduce('ReduceMax'),
  BatchMatMul: (c, x, out) => {
    const t = (name: string, yes: unknown) => {
      const r = c.value(name).shape.length;
      const perm = [...Array(r).keys()];
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return yes ? c.b.op('Transpose', [name], [ints('perm', perm)]) : name;
    };
    c.b.node('MatMul', [t(x('a'), c.node.attrs.transposeA), t(x('b'), c.node.attrs.transposeB)], [out]);
  },
  Conv2D: (c, x, out) => {
    const xs = c.value(c.node.inputs.x).shape;
    const fs = c.value(c.node.inputs.filter).shape;
    const { pads, strides, dilations } = conv2dInfo(c, xs, fs);
    const w = c.b.op('Transpose', [x('filter')], [ints('perm', HWIO_TO_OIHW)]);
    const attrs = [ints('kernel_shape', [fs[0], fs[1]]), ints('pads', pads), ints('strides', strides), ints('dilations', dilations)];
    c.b.node('Conv', [c.layouts.nchw(c.node.inputs.x), w], [c.layouts.produceNchw(out)], attrs);
  },
  Conv2DBackpropInput: (c, x, out) => {
    const xs = (c.node.attrs.inputShape as number[]).map(Number);
    const fs = c.value(c.node.inputs.filter).shape;
    const dys = c.value(c.node.inputs.dy).shape;
    const { pads, strides, dilations } = conv2dInfo(c, xs, fs);
    // ConvTranspose's natural size is s·(dy−1) + (k−1)·d + 1 − pads; output_padding adds the rows the forward conv dropped
    const natural = [0, 1].map((i) => strides[i] * (dys[1 + i] - 1) + (fs[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + 2]);
    const outPad = [0, 1].map((i) => xs[1 + i] - natural[i]);
    if (outPad.some((p, i) => p < 0 || p >= Math.max(strides[i], dilations[i]))) throw new UnsupportedKernelError('Conv2DBackpropInput', `output padding ${outPad}`);
    const w = c.b.op('Transpose', [x('filter')], [ints('perm', HWIO_TO_OIHW)]);
    c.b.node('ConvTranspose', [c.layouts.nchw(c.node.inputs.dy), w], [c.layouts.produceNchw(out)], [
      ints('kernel_shape', [fs[0], fs[1]]), ints('pads', pads), ints('strides', strides), ints('dilations', dilations), ints('output_padding', outPad),
    ]);
  },
  Conv2DBackpropFilter: (c, x, out) => {
    const xs = c.value(c.node.inputs.x).shape;
    const dys = c.value(c.node.inputs.dy).shape;
    const fs = (c.node.attrs.filterShape as number[]).map(Number);
    const { pads, strides, dilations } = conv2dInfo(c, xs, fs);
    // dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, …, ci] · dy[n, oh, ow, co]:
    // a conv of x as [ci, n, H, W] with dy as [co, n, OH, OW], stride d, dilation s, giving [ci, co, kh, kw]
    const end = [0, 1].map((i) => (fs[i] - 1) * dilations[i] + (dys[1 + i] - 1) * strides[i] + 1 - xs[1 + i] - pads[i]);
    // [C, N, H, W] from whichever form exists: the NCHW one with N and C swapped, else the NHWC one
    const batchByChannel = (key: string) =>
      c.layouts.hasNchw(c.node.inputs[key]) ? c.b.op('Transpose', [c.layouts.nchw(c.node.inputs[key])], [ints('perm', [1, 0, 2, 3])]) : c.b.op('Transpose', [x(key)], [ints('perm', [3, 0, 1, 2])]);
    let xin = batchByChannel('x');
    if (end.some((e) => e < 0)) {
      // the forward conv never read the last rows/columns: crop them instead of padding negatively
      const keep = [0, 1].map((i) => xs[1 + i] + Math.min(0, end[i]));
      xin = c.b.op('Slice', [xin, c.b.int64s([0, 0]), c.b.int64s(keep), c.b.int64s([2, 3])]);
    }
    const w = batchByChannel('dy');
    const y = c.b.op('Conv', [xin, w], [
      ints('kernel_shape', [dys[1], dys[2]]),
      ints('pads', [pads[0], pads[1], Math.max(0, end[0]), Math.max(0, end[1])]),
      ints('strides', dilations),
      ints('dilations', strides),
    ]);
    c.b.node('Transpose', [y], [out], [ints('perm', [2, 3, 0, 1])]);
  },
};

function constantLike(c: Ctx, out: string, fill: number): void {
  const v = c.value(out);
  const size = v.shape.reduce((a, d) => a * d, 1);
  c.b.node('Identity', [c.b.const(v.dtype, v.shape, new Array<number>(size).fill(fill))], [out]);
}

function reduce(op: string): Rule {
  return (c, x, out) => {
    const rank = c.value(c.node.inputs.x).shape.length;
    const a = c.node.attrs as { axis?: number | number[] | null; reductionIndices?: number | number[] | null; keepDims?: boolean };
    const ax = a.axis !== undefined ? a.axis : a.reductionIndices;
    const axes = ax == null ? [...Array(rank).keys()] : (Array.isArray(ax) ? ax : [ax]).map((d) => (Number(d) + rank) % rank);
    if (rank === 0 || axes.length === 0) {
      c.b.node('Identity', [x('x')], [out]);
      return;
    }
    const src = c.node.inputs.x;
    if (rank === 4 && c.layouts.hasNchw(src)) {
      // in NCHW: the same axes, renumbered; without keepDims the axes left must keep their order
      const at = axes.map((d) => TO_NCHW.indexOf(d)).sort((p, q) => p - q);
      const left = [0, 1, 2, 3].filter((d) => !axes.includes(d)).map((d) => TO_NCHW.indexOf(d));
      const ordered = left.every((v, i) => i === 0 || v > left[i - 1]);
      if (a.keepDims || ordered) {
        const to = a.keepDims ? c.layouts.produceNchw(out) : out;
        c.b.node(op, [c.layouts.nchw(src), c.b.int64s(at)], [to], [int('keepdims', a.keepDims ? 1 : 0)]);
        return;
      }
    }
    c.b.node(op, [x('x'), c.b.int64s(axes)], [out], [int('keepdims', a.keepDims ? 1 : 0)]);
  };
}

export function supportedKernels(): string[] {
  return Object.keys(TABLE);
}

/** Elementwise kernels: correct in any layout, as long as all their operands use the same one. */
const ELEMENTWISE = new Set([
  'Abs', 'Neg', 'Relu', 'Sqrt', 'Tanh', 'Sigmoid', 'Sign', 'Exp', 'Log', 'Softplus', 'Square', 'LeakyRelu', 'Step', 'ClipByValue', 'LogicalNot',
  'Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'Pow', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'Select', 'AddN', 'Cast',
]);

/** Array-input kernels (AddN) are recorded under keys '0', '1', …; the others under their names. */
function arrayKeys(node: TraceNode): string[] {
  return Object.keys(node.inputs).filter((k) => /^\d+$/.test(k)).sort((p, q) => Number(p) - Number(q));
}

/** Append the ONNX ops for one recorded kernel (its outputs keep their trace names). */
export function translateNode(b: GraphBuilder, layouts: Layouts, node: TraceNode, value: (name: string) => TraceValue): void {
  const rule = TABLE[node.kernel];
  if (!rule) throw new UnsupportedKernelError(node.kernel);
  if (node.outputs.length !== 1) throw new UnsupportedKernelError(node.kernel, `${node.outputs.length} outputs`);
  const has = (key: string) => {
    const n = node.inputs[key];
    if (n === undefined) throw new UnsupportedKernelError(node.kernel, `no input '${key}'`);
    return n;
  };
  const out = node.outputs[0];
  const same = (p: number[], q: number[]) => p.length === q.length && p.every((d, i) => d === q[i]);
  if ((node.kernel === 'Identity' || (node.kernel === 'Reshape' && same(value(has('x')).shape, out.shape)) || (node.kernel === 'Cast' && value(has('x')).dtype === out.dtype))) {
    layouts.alias(out.name, has('x'));
    return;
  }
  if (ELEMENTWISE.has(node.kernel) && out.shape.length === 4) {
    // NCHW when every full-size operand has an NCHW form (and at least one exists): broadcast operands follow
    const full = Object.values(node.inputs).filter((n) => same(value(n).shape, out.shape));
    if (full.length > 0 && full.every((n) => layouts.hasNchw(n))) {
      const to = layouts.produceNchw(out.name);
      const v = (n: string) => (n === to ? { ...out, name: to, shape: TO_NCHW.map((i) => out.shape[i]) } : value(n));
      const x = (key: string) => {
        const n = has(key);
        return same(value(n).shape, out.shape) ? layouts.nchw(n) : layouts.broadcastNchw(n);
      };
      rule({ b, node, value: v, layouts }, x, to);
      return;
    }
  }
  rule({ b, node, value, layouts }, (key) => layouts.nhwc(has(key)), out.name);
}
