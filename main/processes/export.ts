/**
 * Export a run's generator at a saved checkpoint: tfjs LayersModel, ONNX, PNG images, a GIF timelapse of the
 * run's snapshots, or a standalone HTML sampler. Everything is produced in memory, checked, then written to a
 * temp folder beside --out and renamed into place; a damaged run fails with the file's name and writes nothing.
 * This composes the three rooms: runs/ reads the run and writes the folder, engine/export/ rebuilds and
 * translates the generator, imaging/ encodes pictures. The CLI (the services' export child) calls it.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ExportError } from '../../shared/export-error';
import { buildGraph, calibrate, freezeRunningStats, type GenGraph } from '../engine/export/graph';
import { generatorFromCheckpoint, type LoadedRun } from '../engine/export/generator';
import { sampleGraph, sampleGraphChunks, seededLatents } from '../engine/export/images';
import { generatorInfo, runInfo, snippets, type Calibration, type Manifest } from '../engine/export/manifest';
import { saveLayersModel, loadLayersModelFrom, toLayersModel, type LayersArtifacts } from '../engine/export/tfjs';
import { onnxIo, toOnnx } from '../engine/export/onnx';
import { samplerFiles } from '../engine/export/html';
import { gridPng, individualPngs } from '../imaging/png';
import { timelapseGif } from '../imaging/gif';
import { decodeSafetensors, encodeSafetensors, torchState } from '../engine/export/safetensors';
import { assetFiles } from '../torch/assets';
import { writeFileAtomic, writeFolder, type FileSet } from '../runs/atomic';
import { readRunFiles, readSnapshots } from '../runs/read-run';
import { EXPORT_FORMATS } from '../../shared/api';

export { ExportError, type LoadedRun };

/** Load a run folder at a saved checkpoint into the app's own Generator (EMA weights when the run has them). */
export async function loadRun(dir: string, opts: { checkpoint?: number } = {}): Promise<LoadedRun> {
  return generatorFromCheckpoint(await readRunFiles(dir, opts));
}

/** tfjs's browser bundle, which the HTML sampler ships beside its page. */
async function tfjsBundle(): Promise<Uint8Array> {
  return new Uint8Array(await fs.readFile(createRequire(import.meta.url).resolve('@tensorflow/tfjs/dist/tf.min.js')));
}

export { EXPORT_FORMATS };
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  run: string;
  format: ExportFormat;
  out: string;
  checkpoint?: number;
  /** png: number of samples (default 64); gif: ignored. */
  n?: number;
  seed?: number;
  /** png: one file per sample instead of a grid. */
  individual?: boolean;
  /** Latents used to freeze batch norm (default 128). */
  calibration?: number;
  /** gif: milliseconds per frame (default 200). */
  frameMs?: number;
}

export interface ExportResult {
  format: ExportFormat;
  out: string;
  files: string[];
  step?: number;
  maxAbsDiff?: number;
}

export const TFJS_TOLERANCE = 1e-5;
export const ONNX_TOLERANCE = 1e-4;

export interface PreparedGenerator {
  run: LoadedRun;
  graph: GenGraph;
  cal: Calibration;
  /** Calibration inputs and the app generator's output on them (for verification). */
  z: tf.Tensor;
  onehot?: tf.Tensor;
  reference: Float32Array;
  dispose(): void;
}

/**
 * Load the run, read off its generator graph and put batch norm in inference form: the running
 * statistics when the checkpoint has them, else statistics frozen on a seeded calibration batch.
 * The app generator's output on those seeded latents is kept as the reference to verify against.
 */
export async function prepareGenerator(runDir: string, opts: { checkpoint?: number; calibration?: number; seed?: number } = {}): Promise<PreparedGenerator> {
  const run = await loadRun(runDir, { checkpoint: opts.checkpoint });
  try {
    const graph = buildGraph(run.spec.arch, run.G);
    const running = run.runningStats && freezeRunningStats(graph, run.G);
    const cal: Calibration = { n: opts.calibration ?? 128, seed: opts.seed ?? 0, source: running ? 'running' : 'calibration' };
    const lat = seededLatents(graph.zdim, graph.classes, cal.n, cal.seed + 1_000_003);
    const z = tf.tensor(lat.z, [cal.n, graph.zdim]);
    const onehot = lat.labels ? tf.tidy(() => tf.oneHot(tf.tensor1d(lat.labels!, 'int32'), graph.classes).toFloat()) : undefined;
    if (!running) calibrate(graph, z, onehot).dispose();
    const ref = tf.tidy(() => run.G.apply(z, onehot));
    const reference = Float32Array.from(ref.dataSync());
    ref.dispose();
    return { run, graph, cal, z, onehot, reference, dispose: () => (tf.dispose([z, onehot ?? []]), run.dispose()) };
  } catch (e) {
    run.dispose();
    throw e;
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Build the LayersModel, serialize it, load it back with stock tfjs and compare with the app generator. */
export async function tfjsArtifacts(p: PreparedGenerator): Promise<LayersArtifacts & { maxAbsDiff: number }> {
  const model = toLayersModel(p.graph);
  const art = await saveLayersModel(model);
  model.dispose();
  const loaded = await loadLayersModelFrom(art.modelJson, art.weights);
  const out = loaded.predict(p.onehot ? [p.z, p.onehot] : p.z) as tf.Tensor;
  const d = maxAbsDiff(out.dataSync(), p.reference);
  out.dispose();
  loaded.dispose();
  if (!(d <= TFJS_TOLERANCE)) throw new Error(`tfjs export check failed: max |Δ| = ${d} against the app generator (tolerance ${TFJS_TOLERANCE})`);
  return { ...art, maxAbsDiff: d };
}

/** Build the ONNX model and run it in onnxruntime-node against the app generator. */
export async function onnxArtifact(p: PreparedGenerator, metadata: Record<string, string>): Promise<{ bytes: Uint8Array; maxAbsDiff: number }> {
  const bytes = toOnnx(p.graph, { docString: `SNGAN Studio generator (${p.graph.arch}), run step ${p.run.step}`, metadata });
  const ort = await import('onnxruntime-node');
  const sess = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = { z: new ort.Tensor('float32', p.z.dataSync() as Float32Array, p.z.shape) };
  if (p.onehot) feeds.class = new ort.Tensor('float32', p.onehot.dataSync() as Float32Array, p.onehot.shape);
  const res = await sess.run(feeds);
  await sess.release();
  const o = res[onnxIo(p.graph).output];
  let got = o.data as Float32Array;
  if (o.dims.length === 4) {
    const [n, c, h, w] = o.dims as number[];
    const t = new Float32Array(got.length);
    for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) t[((b * h + y) * w + x) * c + k] = got[((b * c + k) * h + y) * w + x];
    got = t;
  }
  const d = maxAbsDiff(got, p.reference);
  if (!(d <= ONNX_TOLERANCE)) throw new Error(`ONNX export check failed: max |Δ| = ${d} against the app generator (tolerance ${ONNX_TOLERANCE})`);
  return { bytes, maxAbsDiff: d };
}

const json = (x: unknown) => JSON.stringify(x, null, 2) + '\n';

/**
 * generator.safetensors (PyTorch layouts, the graph in its metadata) and generator.py, which rebuilds it as an
 * nn.Module. The app runs no Python: it checks that the bytes decode to exactly the tensors written; the tests run
 * the module in PyTorch against the ONNX export.
 */
async function pytorchArtifacts(p: PreparedGenerator): Promise<{ safetensors: Uint8Array; loader: Uint8Array }> {
  const { tensors, nodes } = torchState(p.graph);
  const graph = { arch: p.graph.arch, zdim: p.graph.zdim, classes: p.graph.classes, outShape: p.graph.outShape, output: p.graph.output, nodes };
  const bytes = encodeSafetensors(tensors, { format: 'pt', graph: JSON.stringify(graph), step: String(p.run.step) });
  const back = decodeSafetensors(bytes).tensors;
  for (const [name, t] of tensors) {
    const b = back.get(name);
    if (!b || b.data.length !== t.data.length || b.data.some((v, i) => !Object.is(v, t.data[i]))) throw new Error(`PyTorch export check failed: ${name} does not read back as written`);
  }
  const loader = (await assetFiles('export')).find(([n]) => n === 'generator.py');
  if (!loader) throw new Error('the PyTorch export loader (generator.py) is missing; rebuild the app');
  return { safetensors: bytes, loader: loader[1] };
}

const PYTORCH_SNIPPET = [
  'import torch, generator  # this folder on sys.path',
  'G = generator.load_generator()  # torch.nn.Module, eval mode',
  'images = G(torch.randn(16, G.zdim))  # [N, C, H, W] in [-1, 1]; conditional: G(z, class_onehot)',
].join('\n');

function baseManifest(format: string, p: PreparedGenerator, layout: 'NHWC' | 'NCHW', outputName?: string): Manifest {
  return {
    format,
    createdAt: new Date().toISOString(),
    files: [],
    generator: generatorInfo(p.graph, p.run, layout, p.cal, outputName),
    run: runInfo(p.run),
    config: p.run.config,
  };
}

export async function exportRun(o: ExportOptions): Promise<ExportResult> {
  const files: FileSet = new Map();
  if (o.format === 'gif') {
    const frames = await readSnapshots(o.run);
    const steps = frames.map((f) => f.step);
    files.set('timelapse.gif', await timelapseGif(frames, { frameMs: o.frameMs }));
    files.set('manifest.json', json({ format: 'gif', createdAt: new Date().toISOString(), files: ['timelapse.gif'], run: { id: path.basename(o.run), dir: o.run }, frames: steps.map((s) => `samples/step-${s}.png`) }));
    return { format: o.format, out: o.out, files: await writeFolder(o.out, files) };
  }
  const p = await prepareGenerator(o.run, { checkpoint: o.checkpoint, calibration: o.calibration, seed: o.seed });
  try {
    let maxAbs: number | undefined;
    let manifest: Manifest;
    /** Files produced while they are written (individual PNGs), listed ahead of `files`. */
    let streamed: string[] = [];
    let stream: AsyncIterable<[string, Uint8Array]> | undefined;
    switch (o.format) {
      case 'tfjs':
      case 'html': {
        const art = await tfjsArtifacts(p);
        maxAbs = art.maxAbsDiff;
        manifest = baseManifest(o.format === 'tfjs' ? 'tfjs-layers-model' : 'html-sampler', p, 'NHWC');
        manifest.verification = { maxAbsDiff: art.maxAbsDiff, tolerance: TFJS_TOLERANCE, against: `the app generator on ${p.cal.n} seeded latents, after loading with stock tf.loadLayersModel` };
        manifest.snippets = snippets(p.graph, 'tfjs');
        if (o.format === 'tfjs') {
          files.set('model.json', json(art.modelJson));
          files.set('weights.bin', art.weights);
        } else for (const [k, v] of samplerFiles(p.graph, art, manifest, o.seed ?? 0, await tfjsBundle())) files.set(k, v);
        break;
      }
      case 'onnx': {
        const io = onnxIo(p.graph);
        const { bytes, maxAbsDiff: d } = await onnxArtifact(p, { zdim: String(p.graph.zdim), output_layout: io.outputShape.length === 4 ? 'NCHW' : 'ND', step: String(p.run.step) });
        maxAbs = d;
        manifest = baseManifest('onnx', p, 'NCHW', io.output);
        manifest.verification = { maxAbsDiff: d, tolerance: ONNX_TOLERANCE, against: `the app generator on ${p.cal.n} seeded latents, run in onnxruntime-node` };
        manifest.snippets = snippets(p.graph, 'onnx');
        files.set('generator.onnx', bytes);
        break;
      }
      case 'pytorch': {
        const art = await pytorchArtifacts(p);
        manifest = baseManifest('pytorch-safetensors', p, 'NCHW');
        manifest.snippets = { js: '', python: PYTORCH_SNIPPET };
        files.set('generator.safetensors', art.safetensors);
        files.set('generator.py', art.loader);
        break;
      }
      case 'png': {
        const n = o.n ?? 64;
        const seed = o.seed ?? 0;
        manifest = baseManifest(o.individual ? 'png-individual' : 'png-grid', p, 'NHWC');
        manifest.samples = { n, seed };
        if (o.individual) {
          if (p.graph.outShape.length !== 3) throw new Error('individual PNGs need image samples (this generator makes points)');
          const w = String(n - 1).length;
          const name = (i: number) => `sample-${String(i).padStart(w, '0')}.png`;
          streamed = Array.from({ length: n }, (_, i) => name(i));
          // Generated, encoded and written a chunk at a time: FID needs 10k–50k samples.
          stream = (async function* () {
            for (const c of sampleGraphChunks(p.graph, n, seed)) {
              const pngs = await individualPngs(c);
              for (let i = 0; i < pngs.length; i++) yield [name(c.first + i), pngs[i]] as [string, Uint8Array];
            }
          })();
        } else files.set('grid.png', await gridPng(sampleGraph(p.graph, n, seed)));
        break;
      }
    }
    manifest.files = [...streamed, ...files.keys(), 'manifest.json'];
    files.set('manifest.json', json(manifest));
    const rest = files;
    const written = await writeFolder(
      o.out,
      (async function* () {
        if (stream) yield* stream;
        yield* rest;
      })(),
    );
    return { format: o.format, out: o.out, files: written, step: p.run.step, maxAbsDiff: maxAbs };
  } finally {
    p.dispose();
  }
}

/** `sample`: an n-image grid (or scatter for points) from a seed, written atomically to one PNG file. */
export async function sampleRun(o: { run: string; n: number; seed: number; out: string; checkpoint?: number }): Promise<{ out: string; step: number }> {
  const p = await prepareGenerator(o.run, { checkpoint: o.checkpoint });
  try {
    const png = await gridPng(sampleGraph(p.graph, o.n, o.seed));
    await writeFileAtomic(o.out, png);
    return { out: o.out, step: p.run.step };
  } finally {
    p.dispose();
  }
}

export function isExportError(e: unknown): e is ExportError {
  return e instanceof ExportError;
}
