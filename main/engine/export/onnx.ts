/**
 * GenGraph → ONNX (opset 13, IR 7). Inputs: "z" float32 [N, zdim] (and "class" one-hot float32 [N, classes]
 * for conditional generators); output "image" float32 NCHW [N, C, H, W] in [-1, 1], or "points" [N, d].
 * The batch dimension is symbolic ("N"). Activations run NCHW inside; weights are transposed from tfjs layouts.
 */
import { AttrType, DataType, encodeModel, type Attr, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto';
import { BN_EPS, CLASS_INPUT, Z_INPUT, type GenGraph, type Weight } from './graph';

export const ONNX_OPSET = 13;

/** Permute a dense row-major array. */
function transpose(w: Weight, perm: number[]): Weight {
  const shape = perm.map((p) => w.shape[p]);
  const inStrides = w.shape.map((_, i) => w.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(w.data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += idx[d] * inStrides[perm[d]];
    out[o] = w.data[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape };
}

const ints = (name: string, v: number[]): Attr => ({ name, type: AttrType.INTS, ints: v });
const float = (name: string, v: number): Attr => ({ name, type: AttrType.FLOAT, f: v });
const str = (name: string, v: string): Attr => ({ name, type: AttrType.STRING, s: new TextEncoder().encode(v) });

const valueInfo = (name: string, dims: (number | string)[], doc?: string): OnnxValueInfo => ({
  name,
  doc_string: doc,
  type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
});

export interface OnnxExportInfo {
  inputs: string[];
  output: string;
  outputShape: (number | string)[];
}

export function onnxIo(g: GenGraph): OnnxExportInfo {
  const image = g.outShape.length === 3;
  return {
    inputs: g.classes > 0 ? [Z_INPUT, CLASS_INPUT] : [Z_INPUT],
    output: image ? 'image' : 'points',
    outputShape: image ? ['N', g.outShape[2], g.outShape[0], g.outShape[1]] : ['N', g.outShape[0]],
  };
}

export function toOnnx(g: GenGraph, opts: { docString?: string; metadata?: Record<string, string> } = {}): Uint8Array {
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const io = onnxIo(g);
  const init = (name: string, w: Weight) => {
    const b = new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength);
    inits.push({ name, dims: w.shape, data_type: DataType.FLOAT, raw_data: b.slice() });
    return name;
  };
  const initI64 = (name: string, v: number[]) => {
    inits.push({ name, dims: [v.length], data_type: DataType.INT64, int64_data: v });
    return name;
  };
  const node = (op_type: string, input: string[], output: string, attribute: Attr[] = []) => {
    nodes.push({ op_type, input, output: [output], name: output, attribute });
    return output;
  };
  const vals = new Map<string, string>([[Z_INPUT, Z_INPUT], [CLASS_INPUT, CLASS_INPUT]]);
  /** Whether a value is a feature map (NCHW) rather than [N, features]. */
  const spatial = new Set<string>();
  for (const n of g.nodes) {
    const x = vals.get(n.inputs[0])!;
    const id = n.name;
    let y: string;
    switch (n.op) {
      case 'dense':
        y = node('Gemm', [x, init(`${id}/kernel`, n.kernel), init(`${id}/bias`, n.bias)], id);
        break;
      case 'reshape': {
        const r = node('Reshape', [x, initI64(`${id}/shape`, [-1, ...n.shape])], `${id}/nhwc`);
        y = node('Transpose', [r], id, [ints('perm', [0, 3, 1, 2])]);
        spatial.add(id);
        break;
      }
      case 'relu':
        y = node('Relu', [x], id);
        break;
      case 'tanh':
        y = node('Tanh', [x], id);
        break;
      case 'upsample2':
        inits.push({ name: `${id}/scales`, dims: [4], data_type: DataType.FLOAT, raw_data: new Uint8Array(new Float32Array([1, 1, 2, 2]).buffer) });
        y = node('Resize', [x, '', `${id}/scales`], id, [
          str('mode', 'nearest'),
          str('coordinate_transformation_mode', 'asymmetric'),
          str('nearest_mode', 'floor'),
        ]);
        break;
      case 'add':
        y = node('Add', [x, vals.get(n.inputs[1])!], id);
        break;
      case 'conv': {
        const p = (n.k - 1) / 2;
        const w = transpose(n.kernel, [3, 2, 0, 1]); // [kh,kw,in,out] → [out,in,kh,kw]
        y = node('Conv', [x, init(`${id}/kernel`, w), init(`${id}/bias`, n.bias)], id, [ints('kernel_shape', [n.k, n.k]), ints('pads', [p, p, p, p]), ints('strides', [1, 1])]);
        break;
      }
      case 'deconv': {
        // tfjs 'same' with stride 2, kernel 4: total padding 2 per axis, split 1/1 → output exactly 2× the input.
        const w = transpose(n.kernel, [3, 2, 0, 1]); // [kh,kw,out,in] → [in,out,kh,kw]
        y = node('ConvTranspose', [x, init(`${id}/kernel`, w), init(`${id}/bias`, n.bias)], id, [
          ints('kernel_shape', [4, 4]),
          ints('strides', [2, 2]),
          ints('pads', [1, 1, 1, 1]),
        ]);
        break;
      }
      case 'bn': {
        if (!n.mean || !n.variance) throw new Error(`batch norm ${n.name} has no frozen statistics`);
        const ch = [n.ch];
        const mean = init(`${id}/mean`, { data: n.mean, shape: ch });
        const vr = init(`${id}/variance`, { data: n.variance, shape: ch });
        const isSpatial = spatial.has(x);
        // BatchNormalization wants [N, C, ...]; a [N, C] input is fine as is.
        if (n.inputs.length === 1) {
          y = node('BatchNormalization', [x, init(`${id}/gamma`, { data: n.gamma.data, shape: ch }), init(`${id}/beta`, { data: n.beta.data, shape: ch }), mean, vr], id, [float('epsilon', BN_EPS)]);
        } else {
          const one = init(`${id}/ones`, { data: new Float32Array(n.ch).fill(1), shape: ch });
          const zero = init(`${id}/zeros`, { data: new Float32Array(n.ch), shape: ch });
          const xn = node('BatchNormalization', [x, one, zero, mean, vr], `${id}/normalized`, [float('epsilon', BN_EPS)]);
          const oh = vals.get(n.inputs[1])!;
          const table = (which: string, w: Weight) => {
            const m = node('MatMul', [oh, init(`${id}/${which}_table`, w)], `${id}/${which}`);
            return isSpatial ? node('Reshape', [m, initI64(`${id}/${which}_shape`, [-1, n.ch, 1, 1])], `${id}/${which}_nchw`) : m;
          };
          const scaled = node('Mul', [xn, table('gamma', n.gamma)], `${id}/scaled`);
          y = node('Add', [scaled, table('beta', n.beta)], id);
        }
        break;
      }
    }
    if (spatial.has(x) && n.op !== 'dense') spatial.add(y);
    vals.set(n.name, y);
  }
  // Rename the last value to the documented output name.
  node('Identity', [vals.get(g.output)!], io.output);
  const inputs = [valueInfo(Z_INPUT, ['N', g.zdim], 'latent z ~ N(0, 1)')];
  if (g.classes > 0) inputs.push(valueInfo(CLASS_INPUT, ['N', g.classes], 'one-hot class'));
  const outDoc = io.output === 'image' ? 'generated images, NCHW, values in [-1, 1]' : 'generated points';
  return encodeModel({
    ir_version: 7,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'sngan-studio',
    producer_version: '1',
    doc_string: opts.docString,
    graph: { name: `sngan_${g.arch}_generator`, node: nodes, initializer: inits, input: inputs, output: [valueInfo(io.output, io.outputShape, outDoc)] },
    metadata_props: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
}
