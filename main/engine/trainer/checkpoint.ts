/**
 * Checkpoint encoding: one self-describing binary blob.
 *   "SNGCKPT1" | uint32 LE header length | JSON header | float32 payloads (4-byte aligned)
 * The header lists every tensor's name, offset and length plus the scalar state (step, RNG, Adam t, LR line).
 * `ema_bn:` entries are the EMA weights' standing BN statistics (trainer/standing-stats.ts).
 */
import type { TrainerState } from './state';
import type { RngState } from './rng';

const MAGIC = 'SNGCKPT1';

interface Header {
  version: 1;
  step: number;
  rng: RngState;
  adamG: { t: number };
  adamD: { t: number };
  hasEma: boolean;
  /** The LR line (optional: older checkpoints lack it). */
  lr?: TrainerState['lr'];
  /** ADA's p and r_t window (optional: older checkpoints lack it). */
  aug?: TrainerState['aug'];
  meta?: Record<string, unknown>;
  tensors: { name: string; offset: number; length: number }[];
}

function flatten(s: TrainerState): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const [k, v] of Object.entries(s.vars)) m.set(`var:${k}`, v);
  for (const [k, v] of Object.entries(s.sn)) {
    m.set(`sn_u:${k}`, v.u);
    m.set(`sn_v:${k}`, v.v);
  }
  for (const [k, v] of Object.entries(s.adamG.m)) m.set(`adamG_m:${k}`, v);
  for (const [k, v] of Object.entries(s.adamG.v)) m.set(`adamG_v:${k}`, v);
  for (const [k, v] of Object.entries(s.adamD.m)) m.set(`adamD_m:${k}`, v);
  for (const [k, v] of Object.entries(s.adamD.v)) m.set(`adamD_v:${k}`, v);
  if (s.ema) for (const [k, v] of Object.entries(s.ema)) m.set(`ema:${k}`, v);
  if (s.emaStats) for (const [k, v] of Object.entries(s.emaStats)) m.set(`ema_bn:${k}`, v);
  return m;
}

export function encodeCheckpoint(s: TrainerState, meta?: Record<string, unknown>): Uint8Array {
  const tensors = flatten(s);
  const entries: Header['tensors'] = [];
  let offset = 0;
  for (const [name, arr] of tensors) {
    entries.push({ name, offset, length: arr.length });
    offset += arr.length * 4;
  }
  const header: Header = { version: 1, step: s.step, rng: s.rng, adamG: { t: s.adamG.t }, adamD: { t: s.adamD.t }, hasEma: !!s.ema, ...(s.lr ? { lr: s.lr } : {}), ...(s.aug ? { aug: s.aug } : {}), meta, tensors: entries };
  let hjson = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - ((8 + 4 + hjson.length) % 4)) % 4;
  if (pad) {
    const padded = new Uint8Array(hjson.length + pad).fill(0x20);
    padded.set(hjson);
    hjson = padded;
  }
  const start = 12 + hjson.length;
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, hjson.length, true);
  out.set(hjson, 12);
  for (const e of entries) {
    const arr = tensors.get(e.name)!;
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), start + e.offset);
  }
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): { state: TrainerState; meta?: Record<string, unknown> } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw new Error('not a SNGAN Studio checkpoint');
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + hlen > bytes.length) throw new Error('truncated checkpoint header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen))) as Header;
  if (header.version !== 1) throw new Error(`unsupported checkpoint version ${header.version}`);
  const start = 12 + hlen;
  const state: TrainerState = {
    step: header.step,
    rng: header.rng,
    vars: {},
    sn: {},
    adamG: { t: header.adamG.t, m: {}, v: {} },
    adamD: { t: header.adamD.t, m: {}, v: {} },
    ema: header.hasEma ? {} : undefined,
    ...(header.lr ? { lr: header.lr } : {}),
    ...(header.aug ? { aug: header.aug } : {}),
  };
  for (const e of header.tensors) {
    const end = start + e.offset + e.length * 4;
    if (end > bytes.length) throw new Error(`truncated checkpoint (${e.name})`);
    const arr = new Float32Array(e.length);
    new Uint8Array(arr.buffer).set(bytes.subarray(start + e.offset, end));
    const i = e.name.indexOf(':');
    const kind = e.name.slice(0, i);
    const key = e.name.slice(i + 1);
    switch (kind) {
      case 'var': state.vars[key] = arr; break;
      case 'sn_u': (state.sn[key] ??= { u: arr, v: new Float32Array() }).u = arr; break;
      case 'sn_v': (state.sn[key] ??= { u: new Float32Array(), v: arr }).v = arr; break;
      case 'adamG_m': state.adamG.m[key] = arr; break;
      case 'adamG_v': state.adamG.v[key] = arr; break;
      case 'adamD_m': state.adamD.m[key] = arr; break;
      case 'adamD_v': state.adamD.v[key] = arr; break;
      case 'ema': state.ema![key] = arr; break;
      case 'ema_bn': (state.emaStats ??= {})[key] = arr; break;
      default: throw new Error(`unknown checkpoint entry ${e.name}`);
    }
  }
  return { state, meta: header.meta };
}
