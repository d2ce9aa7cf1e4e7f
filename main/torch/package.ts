/**
 * The package writer behind `sngan-studio package`: one folder with everything needed to train a run with PyTorch
 * elsewhere (one GPU, torchrun, a cluster) — the Python sources, config.json, the dataset as the app stores it, the
 * starting checkpoint when it continues a run, and a README with the commands. The folder is laid out as a
 * workspace (datasets/<id>/, runs/<id>/), so the runs it trains open in the app and export as they are.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { resolveForData, type TrainConfig } from '../../shared/config';
import { TOYS_2D } from '../../shared/toys2d';
import { DatasetManifest } from '../../shared/datasets';
import { writeFolder } from '../runs/atomic';
import { getDataset } from '../datasets/store';
import { datasetsDir } from '../datasets/writer';
import { SHAPE_CLASSES, generateShapes } from '../datasets/shapes';
import { assetFiles } from './assets';
import { packageReadme } from './readme';

export interface PackageOptions {
  /** The config to train (its `dataset` names the data). */
  config: TrainConfig;
  workspace: string;
  out: string;
  /** Continue a run: its checkpoint bytes become init.ckpt. */
  from?: { run: string; step: number; bytes: Uint8Array };
  appVersion?: string;
}

export interface PackageResult {
  out: string;
  files: string[];
  dataset: string;
}

/** The package's folder name for a dataset id: ids with ':' (built-ins) are not folder names everywhere. */
export const datasetFolder = (id: string) => id.replace(/:/g, '-');

type Files = [string, Uint8Array | string][];

/** The dataset as the package holds it: `datasets/<folder>/` (manifest, packed images, labels); none for the 2D toys. */
export async function datasetFiles(dataset: string, workspace: string): Promise<Files> {
  const dir = `datasets/${datasetFolder(dataset)}`;
  if (dataset.startsWith('builtin:')) {
    const name = dataset.slice('builtin:'.length);
    if (name in TOYS_2D) return []; // 2D toys are sampled by the Python side (sngan/data.py)
    if (name !== 'shapes') throw new Error(`Unknown built-in dataset '${dataset}'. Built-ins: ring8, grid25, spiral, shapes.`);
    const s = generateShapes();
    const counts = SHAPE_CLASSES.map((_, k) => s.labels.filter((l) => l === k).length);
    const manifest = DatasetManifest.parse({
      version: 1, id: datasetFolder(dataset), name: 'Coloured shapes (procedural)', kind: 'images', count: s.count, width: s.size, height: s.size,
      channels: 3, classes: SHAPE_CLASSES, classCounts: counts, hasLabels: true, preprocessing: { size: s.size, fit: 'crop', channels: 3 },
      source: { kinds: ['procedural'], paths: [] }, hash: '', createdAt: new Date().toISOString(), files: { images: 'images.u8', labels: 'labels.u8' },
    });
    return [[`${dir}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n'], [`${dir}/images.u8`, s.pixels], [`${dir}/labels.u8`, s.labels]];
  }
  const m = await getDataset(workspace, dataset); // throws "No dataset 'x'" for unknown ids and non-ids (paths)
  const src = path.join(datasetsDir(workspace), dataset);
  const images = new Uint8Array(await fs.readFile(path.join(src, m.files.images)));
  if (images.length !== m.count * m.width * m.height * m.channels) throw new Error(`dataset '${dataset}' is damaged: ${m.files.images} has ${images.length} bytes`);
  const files: Files = [[`${dir}/manifest.json`, JSON.stringify(m, null, 2) + '\n'], [`${dir}/${m.files.images}`, images]];
  if (m.files.labels) files.push([`${dir}/${m.files.labels}`, new Uint8Array(await fs.readFile(path.join(src, m.files.labels)))]);
  return files;
}

/**
 * Settings the PyTorch engine does not implement yet (the app's engine does): a package with them would train a
 * different GAN than the app, so it is refused with the list rather than written.
 */
export function pytorchGaps(config: TrainConfig): string[] {
  const r = resolveForData(config, config.dataset.startsWith('builtin:') && config.dataset.slice(8) in TOYS_2D ? 'points' : 'images');
  const gaps: string[] = [];
  if (r.preset === 'resnet') gaps.push("preset 'resnet' (β1 = 0, linear decay, twice the batch in the G step); pick A–F, or set preset explicitly for arch=resnet32");
  if (r.genBatch !== r.batch) gaps.push(`genBatch ${r.genBatch} (a G-step batch other than batch ${r.batch})`);
  if (config.sn.update === 'per-forward') gaps.push("sn.update 'per-forward'");
  if (config.dequantize) gaps.push('dequantize');
  // 'auto' is a default, not a request: the package trains without augmentation and its config.json says so
  if (config.aug.mode === 'diffaugment' || config.aug.mode === 'ada') gaps.push(`aug.mode '${config.aug.mode}' (augmentation)`);
  return gaps;
}

/** The config the PyTorch engine trains: the app's, without augmentation or a held-out slice (it implements neither yet). */
export function pytorchConfig(config: TrainConfig): TrainConfig {
  return { ...config, aug: { ...config.aug, mode: 'off' }, heldOut: 0 };
}

export async function writePackage(o: PackageOptions): Promise<PackageResult> {
  const gaps = pytorchGaps(o.config);
  if (gaps.length) throw new Error(`the PyTorch package does not implement ${gaps.join('; ')} yet`);
  const dataset = o.config.dataset;
  // its config.json says what it trains
  const config = pytorchConfig(o.config);
  const files: Files = [
    ...(await assetFiles('python')),
    ['config.json', JSON.stringify(config, null, 2) + '\n'],
    ...(await datasetFiles(dataset, o.workspace)),
  ];
  if (o.from) files.push(['init.ckpt', o.from.bytes]);
  files.push(['README.md', packageReadme({ config: o.config, dataset, from: o.from, appVersion: o.appVersion ?? 'dev' })]);
  const manifest = {
    format: 'sngan-studio-pytorch-package',
    version: 1,
    createdAt: new Date().toISOString(),
    appVersion: o.appVersion ?? 'dev',
    dataset,
    runFormat: 1,
    from: o.from ? { run: o.from.run, step: o.from.step } : undefined,
    files: [...files.map(([n]) => n), 'manifest.json'],
  };
  files.push(['manifest.json', JSON.stringify(manifest, null, 2) + '\n']);
  return { out: o.out, dataset, files: await writeFolder(o.out, files) };
}
