/**
 * One compiled update in onnxruntime-node: state in, state out. The weights, optimiser moments, SN vectors and BN
 * statistics live on the host between runs (`HostState`), so the tfjs model can be refreshed from them whenever the
 * app needs it and a checkpoint never waits on the runtime.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import type * as Ort from 'onnxruntime-node';
import type { HostTensor } from '../augment/index';
import { outName, resName, type CompiledGraph } from './graph';

export type HostState = Map<string, HostTensor>;

const req = createRequire(import.meta.url);
let ortModule: typeof Ort | null = null;

/** onnxruntime-node, loaded on first use (an N-API module: it must load in the trainer process, not at import). */
export function loadOrt(): typeof Ort {
  ortModule ??= req('onnxruntime-node') as typeof Ort;
  return ortModule;
}

/**
 * Execution providers to try, best first: the GPU ones this install of onnxruntime-node has (`available`: CUDA
 * needs its provider library, downloaded at install on request), then the CPU. WebGPU is left out: untested for
 * training graphs.
 */
export function providerOrder(available: string[], prefer?: string): string[] {
  const gpu = ['cuda', 'dml', 'coreml'].filter((p) => available.includes(p));
  const order = [...(prefer ? [prefer] : []), ...gpu, 'cpu'];
  return [...new Set(order)].filter((p) => p === 'cpu' || available.includes(p));
}

/**
 * Providers that can load here: bundled ones, and CUDA where its provider library was installed beside the binding
 * (looked up by module resolution, which fails for a missing file: the engine does no file I/O of its own).
 */
function availableProviders(ort: typeof Ort): string[] {
  const has = (spec: string) => {
    try {
      req.resolve(spec);
      return true;
    } catch {
      return false;
    }
  };
  const cuda = `onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/libonnxruntime_providers_cuda.so`;
  return ort.listSupportedBackends().filter((b) => b.bundled || (b.name === 'cuda' && has(cuda))).map((b) => b.name);
}

export interface SessionOptions {
  /** intra-op threads; ≤ 0 = every core. */
  threads?: number;
  /** An execution provider to try first (tests); otherwise GPU providers that load, then the CPU. */
  provider?: string;
}

export class CompiledUpdate {
  private constructor(
    private readonly session: Ort.InferenceSession,
    readonly graph: CompiledGraph,
    readonly provider: string,
    readonly threads: number,
  ) {}

  static async create(graph: CompiledGraph, o: SessionOptions = {}): Promise<CompiledUpdate> {
    const ort = loadOrt();
    const threads = o.threads && o.threads > 0 ? o.threads : os.cpus().length;
    const supported = availableProviders(ort);
    const errors: string[] = [];
    for (const ep of providerOrder(supported, o.provider)) {
      try {
        const session = await ort.InferenceSession.create(graph.bytes, {
          executionProviders: [ep],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
          executionMode: 'sequential',
          // a GPU provider that does not load is expected on most machines: its error is kept, not printed
          logSeverityLevel: ep === 'cpu' ? 2 : 4,
          ...(process.env.SNGAN_ORT_PROFILE ? { enableProfiling: true, profileFilePrefix: process.env.SNGAN_ORT_PROFILE, optimizedModelFilePath: `${process.env.SNGAN_ORT_PROFILE}-${graph.results.length}.onnx` } : {}),
        });
        return new CompiledUpdate(session, graph, ep, threads);
      } catch (err) {
        errors.push(`${ep}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
      }
    }
    throw new Error(`onnxruntime could not load the compiled step (${errors.join('; ')})`);
  }

  /**
   * Run the update on `state` (read, not changed) and `feeds`. Returns the new values of the variables it writes and
   * the results asked for (all when `results` is omitted).
   */
  async run(state: HostState, feeds: Record<string, HostTensor>, results?: string[]): Promise<{ state: HostState; results: Record<string, Float32Array> }> {
    const ort = loadOrt();
    const inputs: Record<string, Ort.Tensor> = {};
    for (const v of this.graph.stateIn) {
      const h = state.get(v.name);
      if (!h) throw new Error(`compiled step: no state for ${v.name}`);
      inputs[`in:${v.name}`] = new ort.Tensor('float32', h.data, v.shape);
    }
    for (const v of this.graph.feeds) {
      const h = feeds[v.name];
      if (!h) throw new Error(`compiled step: no feed ${v.name}`);
      inputs[`feed:${v.name}`] = new ort.Tensor('float32', h.data, v.shape);
    }
    const want = results ?? this.graph.results;
    const fetches = [...this.graph.stateOut.map(outName), ...want.map(resName)];
    const out = await this.session.run(inputs, fetches);
    const next: HostState = new Map();
    for (const v of this.graph.stateOut) {
      const t = out[outName(v)];
      next.set(v, { data: t.data as Float32Array, shape: [...t.dims] });
    }
    const res: Record<string, Float32Array> = {};
    for (const r of want) res[r] = out[resName(r)].data as Float32Array;
    return { state: next, results: res };
  }

  async release(): Promise<void> {
    if (process.env.SNGAN_ORT_PROFILE) this.session.endProfiling();
    await this.session.release();
  }
}

/** Can this machine run compiled steps? A one-op graph through the same path (app.info, the probe process). */
export async function probeOnnxruntime(threads = 0): Promise<{ ok: boolean; reason: string }> {
  try {
    const ort = loadOrt();
    const { encodeModel } = await import('../export/onnx-proto');
    const f32 = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }] } } } });
    const bytes = encodeModel({
      ir_version: 8, opset_import: [{ domain: '', version: 18 }], producer_name: 'sngan-studio', producer_version: '1',
      graph: { name: 'probe', node: [{ op_type: 'Add', input: ['in:a', 'feed:b'], output: ['out:a'], name: 'add' }], initializer: [], input: [f32('in:a'), f32('feed:b')], output: [f32('out:a')] },
    });
    const u = await CompiledUpdate.create({ bytes, stateIn: [{ name: 'a', shape: [2], dtype: 'float32' }], stateOut: ['a'], feeds: [{ name: 'b', shape: [2], dtype: 'float32' }], results: [], kernels: { kept: 1, recorded: 1, kinds: ['Add'] } }, { threads });
    const r = await u.run(new Map([['a', { data: Float32Array.of(1, 2), shape: [2] }]]), { b: { data: Float32Array.of(3, 4), shape: [2] } });
    await u.release();
    const sum = r.state.get('a')!.data;
    if (sum[0] !== 4 || sum[1] !== 6) return { ok: false, reason: `onnxruntime computed ${sum[0]}, ${sum[1]} for 1+3, 2+4` };
    return { ok: true, reason: `onnxruntime-node ${ort.env.versions.node} (${u.provider}, ${u.threads} threads): training steps compile to ONNX (engine 'auto')` };
  } catch (e) {
    return { ok: false, reason: `onnxruntime-node unavailable (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}): training runs on tfjs` };
  }
}
