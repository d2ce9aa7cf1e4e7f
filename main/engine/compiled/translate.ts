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
import { arrayInputs, type DType, type TraceNode, type TraceValue } from './trace';

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

interface Ctx {
  b: GraphBuilder;
  node: TraceNode;
  value(name: string): TraceValue;
}

type Rule = (c: Ctx, x: (key: string) => string, out: string) => void;

const unary = (op: string): Rule => (c, x, out) => c.b.node(op, [x('x')], [out]);
const binary = (op: string): Rule => (c, x, out) => c.b.node(op, [x('a'), x('b')], [out]);

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

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
  AddN: (c, _x, out) => c.b.node('Sum', arrayInputs(c.node), [out]),
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
  Reshape: (c, x, out) => {
    const to = c.value(out).shape;
    const from = c.value(x('x')).shape;
    // tfjs's gradients reshape to the shape a value already has: an Identity, which lets ORT move layout transposes
    if (to.length === from.length && to.every((d, i) => d === from[i])) c.b.node('Identity', [x('x')], [out]);
    else c.b.node('Reshape', [x('x'), c.b.int64s(to)], [out]);
  },
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
    const xs = c.value(x('x')).shape;
    const fs = c.value(x('filter')).shape;
    const { pads, strides, dilations } = conv2dInfo(c, xs, fs);
    const xin = c.b.op('Transpose', [x('x')], [ints('perm', TO_NCHW)]);
    const w = c.b.op('Transpose', [x('filter')], [ints('perm', HWIO_TO_OIHW)]);
    const y = c.b.op('Conv', [xin, w], [ints('kernel_shape', [fs[0], fs[1]]), ints('pads', pads), ints('strides', strides), ints('dilations', dilations)]);
    c.b.node('Transpose', [y], [out], [ints('perm', TO_NHWC)]);
  },
  Conv2DBackpropInput: (c, x, out) => {
    const xs = (c.node.attrs.inputShape as number[]).map(Number);
    const fs = c.value(x('filter')).shape;
    const dys = c.value(x('dy')).shape;
    const { pads, strides, dilations } = conv2dInfo(c, xs, fs);
    // ConvTranspose's natural size is s·(dy−1) + (k−1)·d + 1 − pads; output_padding adds the rows the forward conv dropped
    const natural = [0, 1].map((i) => strides[i] * (dys[1 + i] - 1) + (fs[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + 2]);
    const outPad = [0, 1].map((i) => xs[1 + i] - natural[i]);
    if (outPad.some((p, i) => p < 0 || p >= Math.max(strides[i], dilations[i]))) throw new UnsupportedKernelError('Conv2DBackpropInput', `output padding ${outPad}`);
    const dy = c.b.op('Transpose', [x('dy')], [ints('perm', TO_NCHW)]);
    const w = c.b.op('Transpose', [x('filter')], [ints('perm', HWIO_TO_OIHW)]);
    const y = c.b.op('ConvTranspose', [dy, w], [
      ints('kernel_shape', [fs[0], fs[1]]), ints('pads', pads), ints('strides', strides), ints('dilations', dilations), ints('output_padding', outPad),
    ]);
    c.b.node('Transpose', [y], [out], [ints('perm', TO_NHWC)]);
  },
  Conv2DBackpropFilter: (c, x, out) => {
    const xs = c.value(x('x')).shape;
    const dys = c.value(x('dy')).shape;
    const fs = (c.node.attrs.filterShape as number[]).map(Number);
    const { pads, strides, dilations } = conv2dInfo(c, xs, fs);
    // dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, …, ci] · dy[n, oh, ow, co]:
    // a conv of x as [ci, n, H, W] with dy as [co, n, OH, OW], stride d, dilation s, giving [ci, co, kh, kw]
    const end = [0, 1].map((i) => (fs[i] - 1) * dilations[i] + (dys[1 + i] - 1) * strides[i] + 1 - xs[1 + i] - pads[i]);
    let xin = c.b.op('Transpose', [x('x')], [ints('perm', [3, 0, 1, 2])]);
    if (end.some((e) => e < 0)) {
      // the forward conv never read the last rows/columns: crop them instead of padding negatively
      const keep = [0, 1].map((i) => xs[1 + i] + Math.min(0, end[i]));
      xin = c.b.op('Slice', [xin, c.b.int64s([0, 0]), c.b.int64s(keep), c.b.int64s([2, 3])]);
    }
    const w = c.b.op('Transpose', [x('dy')], [ints('perm', [3, 0, 1, 2])]);
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
    const rank = c.value(x('x')).shape.length;
    const a = c.node.attrs as { axis?: number | number[] | null; reductionIndices?: number | number[] | null; keepDims?: boolean };
    const ax = a.axis !== undefined ? a.axis : a.reductionIndices;
    const axes = ax == null ? [...Array(rank).keys()] : (Array.isArray(ax) ? ax : [ax]).map((d) => (Number(d) + rank) % rank);
    if (rank === 0 || axes.length === 0) {
      c.b.node('Identity', [x('x')], [out]);
      return;
    }
    c.b.node(op, [x('x'), c.b.int64s(axes)], [out], [int('keepdims', a.keepDims ? 1 : 0)]);
  };
}

export function supportedKernels(): string[] {
  return Object.keys(TABLE);
}

/** Append the ONNX ops for one recorded kernel (its outputs keep their trace names). */
export function translateNode(b: GraphBuilder, node: TraceNode, value: (name: string) => TraceValue): void {
  const rule = TABLE[node.kernel];
  if (!rule) throw new UnsupportedKernelError(node.kernel);
  if (node.outputs.length !== 1) throw new UnsupportedKernelError(node.kernel, `${node.outputs.length} outputs`);
  const x = (key: string) => {
    const n = node.inputs[key];
    if (n === undefined) throw new UnsupportedKernelError(node.kernel, `no input '${key}'`);
    return n;
  };
  rule({ b, node, value }, x, node.outputs[0].name);
}
