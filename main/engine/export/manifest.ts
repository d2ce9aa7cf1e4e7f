/** manifest.json written beside every export: what goes in, what comes out, where it came from, how to sample. */
import path from 'node:path';
import type { GenGraph } from './graph';
import type { LoadedRun } from './generator';

/** The seeded latents an export is verified on (and, without running statistics, frozen with). */
export interface Calibration {
  n: number;
  seed: number;
  /** Where batch norm's inference statistics came from. */
  source: 'running' | 'calibration';
}

export interface Manifest {
  format: string;
  createdAt: string;
  files: string[];
  generator: {
    arch: string;
    latent: { size: number; distribution: 'normal'; mean: 0; std: 1 };
    conditional: boolean;
    classes: string[];
    inputs: { name: string; shape: (number | string)[]; description: string }[];
    output: { name?: string; range: [number, number] | null; layout: string; shape: (number | string)[]; resolution: number[] | null; channels: number | null };
    batchNorm: string;
  };
  run: { id: string; dir: string; step: number; checkpoint: string; emaWeights: boolean };
  config: unknown;
  verification?: { maxAbsDiff: number; tolerance: number; against: string };
  samples?: { n: number; seed: number };
  snippets?: { js: string; python: string };
}

export function generatorInfo(g: GenGraph, run: LoadedRun, layout: 'NHWC' | 'NCHW', cal: Calibration | null, outputName?: string): Manifest['generator'] {
  const image = g.outShape.length === 3;
  const shape: (number | string)[] = !image ? ['N', g.outShape[0]] : layout === 'NHWC' ? ['N', ...g.outShape] : ['N', g.outShape[2], g.outShape[0], g.outShape[1]];
  const inputs: Manifest['generator']['inputs'] = [{ name: 'z', shape: ['N', g.zdim], description: 'latent vectors, float32, each entry drawn from N(0, 1)' }];
  if (g.classes) inputs.push({ name: 'class', shape: ['N', g.classes], description: `one-hot class (float32), order: ${run.classNames.join(', ')}` });
  return {
    arch: g.arch,
    latent: { size: g.zdim, distribution: 'normal', mean: 0, std: 1 },
    conditional: g.classes > 0,
    classes: run.classNames,
    inputs,
    output: {
      name: outputName,
      range: image ? [-1, 1] : null,
      layout: image ? `${layout} (pixel = (v + 1) * 127.5)` : '[N, d] points in data coordinates',
      shape,
      resolution: image ? [g.outShape[0], g.outShape[1]] : null,
      channels: image ? g.outShape[2] : null,
    },
    batchNorm: !cal || !g.nodes.some((n) => n.op === 'bn')
      ? 'none'
      : cal.source === 'running'
        ? 'inference form: the running statistics kept during training (momentum 0.1), exactly what the app samples with'
        : `inference form: statistics frozen from ${cal.n} calibration latents (seed ${cal.seed}); the run's EMA weights (or an older checkpoint) carry no running statistics, so the app samples with batch statistics and its outputs equal the export's exactly on that calibration batch and closely elsewhere`,
  };
}

export function runInfo(run: LoadedRun): Manifest['run'] {
  return { id: path.basename(run.dir), dir: run.dir, step: run.step, checkpoint: path.relative(run.dir, run.checkpoint), emaWeights: run.usedEma };
}

export function snippets(g: GenGraph, kind: 'tfjs' | 'onnx'): { js: string; python: string } {
  const cond = g.classes > 0;
  const tfjs = [
    `import * as tf from '@tensorflow/tfjs';`,
    `const model = await tf.loadLayersModel('model.json' /* URL, or tf.io.fromMemory(...) */);`,
    `const n = 16;`,
    `const z = tf.randomNormal([n, ${g.zdim}]);`,
    cond ? `const cls = tf.oneHot(tf.fill([n], 0, 'int32'), ${g.classes}).toFloat(); // class 0` : '',
    `const out = model.predict(${cond ? '[z, cls]' : 'z'}); // ${g.outShape.length === 3 ? `[n, ${g.outShape.join(', ')}] NHWC in [-1, 1]` : `[n, ${g.outShape[0]}]`}`,
  ];
  const ortJs = [
    `import * as ort from 'onnxruntime-node'; // or onnxruntime-web`,
    `const session = await ort.InferenceSession.create('generator.onnx');`,
    `const n = 16, z = new Float32Array(n * ${g.zdim}).map(() => { const u = 1 - Math.random(), v = Math.random(); return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v); });`,
    `const feeds = { z: new ort.Tensor('float32', z, [n, ${g.zdim}]) };`,
    cond ? `const c = new Float32Array(n * ${g.classes}); for (let i = 0; i < n; i++) c[i * ${g.classes}] = 1; feeds.class = new ort.Tensor('float32', c, [n, ${g.classes}]);` : '',
    `const { ${g.outShape.length === 3 ? 'image' : 'points'} } = await session.run(feeds); // ${g.outShape.length === 3 ? `[n, ${g.outShape[2]}, ${g.outShape[0]}, ${g.outShape[1]}] NCHW in [-1, 1]` : `[n, ${g.outShape[0]}]`}`,
  ];
  const py = [
    `import numpy as np, onnxruntime as ort`,
    `session = ort.InferenceSession("generator.onnx")`,
    `n = 16`,
    `feeds = {"z": np.random.randn(n, ${g.zdim}).astype(np.float32)}`,
    cond ? `feeds["class"] = np.eye(${g.classes}, dtype=np.float32)[np.zeros(n, dtype=int)]  # class 0` : '',
    g.outShape.length === 3
      ? `(image,) = session.run(None, feeds)  # [n, ${g.outShape[2]}, ${g.outShape[0]}, ${g.outShape[1]}] NCHW in [-1, 1]\npixels = ((image.transpose(0, 2, 3, 1) + 1) * 127.5).clip(0, 255).astype(np.uint8)`
      : `(points,) = session.run(None, feeds)  # [n, ${g.outShape[0]}]`,
  ];
  const clean = (l: string[]) => l.filter(Boolean).join('\n');
  return { js: clean(kind === 'tfjs' ? tfjs : ortJs), python: clean(py) };
}
