/**
 * The generator graph as a PyTorch state: safetensors bytes (8-byte LE header length, JSON header, raw LE float32)
 * with PyTorch layouts — Linear [out, in], Conv2d [out, in, kh, kw], ConvTranspose2d [in, out, kh, kw], NCHW
 * features (the stem dense's outputs reordered (h, w, c) → (c, h, w), so a plain reshape gives NCHW) — and the
 * graph's structure in the header's __metadata__, which main/torch/export/generator.py rebuilds as an nn.Module.
 */
import type { GenGraph, GNode, Weight } from './graph';

export interface TorchTensor {
  shape: number[];
  data: Float32Array;
}

/** NHWC-flat index of each NCHW-flat feature of an [h, w, c] map. */
function chwOrder(h: number, w: number, c: number): Int32Array {
  const idx = new Int32Array(h * w * c);
  let i = 0;
  for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) idx[i++] = (y * w + x) * c + ch;
  return idx;
}

/** tfjs dense [in, out] → Linear [out, in], output features taken in `order` (default: as they are). */
function linear(k: Weight, order?: Int32Array): TorchTensor {
  const [nin, nout] = k.shape;
  const out = new Float32Array(nin * nout);
  for (let o = 0; o < nout; o++) {
    const src = order ? order[o] : o;
    for (let i = 0; i < nin; i++) out[o * nin + i] = k.data[i * nout + src];
  }
  return { shape: [nout, nin], data: out };
}

/** [kh, kw, a, b] → [b, a, kh, kw]: conv HWIO → OIHW, and conv-transpose HWOI → IOHW alike. */
function kernel(k: Weight): TorchTensor {
  const [kh, kw, a, b] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[((j * a + i) * kh + y) * kw + x] = k.data[((y * kw + x) * a + i) * b + j];
  return { shape: [b, a, kh, kw], data: out };
}

const vec = (d: ArrayLike<number>, order?: Int32Array): TorchTensor => ({ shape: [d.length], data: order ? Float32Array.from(order, (i) => d[i]) : Float32Array.from(d) });

/** A node without its weights; shapes are NCHW ([c, h, w] for reshape). */
export interface NodeSpec {
  op: GNode['op'];
  name: string;
  inputs: string[];
  k?: number;
  shape?: number[];
  ch?: number;
  conditional?: boolean;
}

/** The graph's tensors in PyTorch layouts, keyed `<node>.<tensor>`, and its structure (NCHW shapes). */
export function torchState(g: GenGraph): { tensors: Map<string, TorchTensor>; nodes: NodeSpec[] } {
  const tensors = new Map<string, TorchTensor>();
  const reshaped = new Map<string, number[]>(); // dense node name → the [h, w, c] it is reshaped to
  for (const n of g.nodes) if (n.op === 'reshape') reshaped.set(n.inputs[0], n.shape);
  const nodes: NodeSpec[] = [];
  for (const n of g.nodes) {
    switch (n.op) {
      case 'dense': {
        const hwc = reshaped.get(n.name);
        const order = hwc ? chwOrder(hwc[0], hwc[1], hwc[2]) : undefined;
        tensors.set(`${n.name}.weight`, linear(n.kernel, order));
        tensors.set(`${n.name}.bias`, vec(n.bias.data, order));
        nodes.push({ op: n.op, name: n.name, inputs: n.inputs });
        break;
      }
      case 'conv':
      case 'deconv':
        tensors.set(`${n.name}.weight`, kernel(n.kernel));
        tensors.set(`${n.name}.bias`, vec(n.bias.data));
        nodes.push({ op: n.op, name: n.name, inputs: n.inputs, ...(n.op === 'conv' ? { k: n.k } : {}) });
        break;
      case 'bn':
        if (!n.mean || !n.variance) throw new Error(`batch norm ${n.name} has no frozen statistics`);
        tensors.set(`${n.name}.weight`, { shape: n.gamma.shape, data: Float32Array.from(n.gamma.data) });
        tensors.set(`${n.name}.bias`, { shape: n.beta.shape, data: Float32Array.from(n.beta.data) });
        tensors.set(`${n.name}.running_mean`, vec(n.mean));
        tensors.set(`${n.name}.running_var`, vec(n.variance));
        nodes.push({ op: n.op, name: n.name, inputs: n.inputs, ch: n.ch, conditional: n.inputs.length > 1 });
        break;
      case 'reshape':
        nodes.push({ op: n.op, name: n.name, inputs: n.inputs, shape: [n.shape[2], n.shape[0], n.shape[1]] });
        break;
      default:
        nodes.push({ op: n.op, name: n.name, inputs: n.inputs });
    }
  }
  return { tensors, nodes };
}

/** safetensors bytes: header JSON space-padded to 8 bytes, tensors in insertion order, float32 little-endian. */
export function encodeSafetensors(tensors: Map<string, TorchTensor>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let h = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (h.length % 8)) % 8;
  if (pad) h = Uint8Array.from([...h, ...new Array<number>(pad).fill(0x20)]);
  const out = new Uint8Array(8 + h.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  let p = 8 + h.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(p + 4 * i, t.data[i], true);
    p += t.data.byteLength;
  }
  return out;
}

/** The tensors back out of safetensors bytes (for the export's own round-trip check and tests). */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Map<string, TorchTensor>; metadata: Record<string, string> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = Number(view.getBigUint64(0, true));
  type Entry = { dtype: string; shape: number[]; data_offsets: [number, number] };
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen))) as Record<string, unknown>;
  const tensors = new Map<string, TorchTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as Entry;
    const [a, b] = e.data_offsets;
    const data = new Float32Array((b - a) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(8 + hlen + a + 4 * i, true);
    tensors.set(name, { shape: e.shape, data });
  }
  return { tensors, metadata: (header.__metadata__ ?? {}) as Record<string, string> };
}
