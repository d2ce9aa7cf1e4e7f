/**
 * importDataset: paths in (folders, image files, zip/npz, IDX, CIFAR-10, npy), one packed uint8 dataset out,
 * plus a report of every file that was skipped and why. Nothing is written outside <workspace>/datasets,
 * and nothing is left there unless the import completes.
 */
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { type DatasetManifest, type ImportProgress, type SkipReason, summariseSkipped } from '../../shared/datasets';
import { ImportError, SkipError, abortError } from './errors';
import { decodeImage, decodeImageFile, resizeRaw } from './decode';
import { orderedPool } from './pool';
import { type FileItem, type Skip, archiveItems, scanPath } from './scan';
import { DEFAULT_ZIP_CAPS, type ZipCaps, readZip } from './zip';
import { DatasetWriter } from './writer';
import { collectArrays } from './collect-arrays';
import type { ArrayBlock } from './arrays';

export interface ImportOpts {
  workspace: string;
  size?: 28 | 32 | 64 | 128;
  channels?: 1 | 3;
  fit?: 'crop' | 'letterbox';
  name?: string;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** decodes in flight (default: libuv's thread-pool size + 2, see decodeSlots) */
  concurrency?: number;
  /** tighter archive caps (tests) */
  zipCaps?: Partial<ZipCaps>;
}

export interface ImportResult {
  manifest: DatasetManifest;
  skipped: { path: string; reason: SkipReason; detail?: string }[];
}

const SIZES = [28, 32, 64, 128];
const UNLABELLED = 'unlabelled';

export async function importDataset(paths: string[], opts: ImportOpts): Promise<ImportResult> {
  if (paths.length === 0) throw new ImportError('Nothing to import: no paths given.');
  if (opts.size !== undefined && !SIZES.includes(opts.size)) throw new ImportError(`size must be one of ${SIZES.join(', ')}`);
  if (opts.channels !== undefined && opts.channels !== 1 && opts.channels !== 3) throw new ImportError('channels must be 1 or 3');
  const { signal } = opts;
  const fit = opts.fit ?? 'crop';
  const skipped: Skip[] = [];
  const started = Date.now();
  let lastEmit = 0;
  const counts = { seen: 0, decoded: 0, skipped: 0, total: 0 };
  const emit = (phase: ImportProgress['phase'], force = false) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastEmit < 100) return;
    lastEmit = now;
    const done = counts.decoded + counts.skipped;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const etaSec = counts.total > 0 && done > 0 ? Math.max(0, (counts.total - done) / rate) : undefined;
    opts.onProgress({ phase, seen: counts.seen, decoded: counts.decoded, skipped: counts.skipped + skipped.length, total: counts.total, etaSec });
  };
  const checkAbort = () => {
    if (signal?.aborted) throw abortError();
  };

  // 1. scan
  emit('scanning', true);
  const items: FileItem[] = [];
  for (const p of paths) {
    checkAbort();
    await scanPath(resolve(p), items, skipped, signal);
  }
  checkAbort();
  const files: FileItem[] = [];
  const seenPaths = new Set<string>();
  for (const item of items) {
    if (seenPaths.has(item.path)) continue; // the same file dropped twice (a folder and a file inside it)
    seenPaths.add(item.path);
    if (item.kind !== 'archive') {
      files.push(item);
      continue;
    }
    try {
      const z = await readZip(item.path, { ...DEFAULT_ZIP_CAPS, ...opts.zipCaps });
      for (const s of z.skipped) skipped.push({ path: `${item.path}!/${s.name}`, reason: s.reason, detail: s.detail });
      if (z.truncatedBy) skipped.push({ path: item.path, reason: z.truncatedBy.reason, detail: `archive cut off: ${z.truncatedBy.detail}` });
      archiveItems(item.path, z.entries, files, skipped);
    } catch (err) {
      const reason = (err as { reason?: SkipReason }).reason ?? 'corrupt';
      skipped.push({ path: item.path, reason, detail: (err as Error).message });
    }
    checkAbort();
  }

  // 2. array formats (IDX, CIFAR, npy) into blocks; image files stay as items
  const { blocks, consumed } = await collectArrays(files, skipped);
  const images = files.filter((f) => f.kind === 'image');
  for (const f of files) if (f.kind !== 'image' && !consumed.has(f)) skipped.push({ path: f.path, reason: 'unsupported', detail: 'not used by any importer' });
  counts.total = blocks.reduce((a, b) => a + b.count, 0) + images.length;
  counts.seen = counts.total + skipped.length;
  checkAbort();
  if (counts.total === 0) throw nothingGood(skipped);

  // 3. shape and classes
  const native = blocks[0];
  const size = opts.size ?? (native && native.width === native.height ? native.width : 64);
  const auto = opts.channels === undefined && images.length > 0;
  const outChannels: 1 | 3 = opts.channels ?? (images.length === 0 && blocks.every((b) => b.channels === 1) ? 1 : 3);
  const labelled = blocks.some((b) => b.labels) || images.some((i) => i.classHint !== undefined);
  const classes: string[] = [];
  const classIndex = (name: string) => {
    let i = classes.indexOf(name);
    if (i < 0) i = classes.push(name) - 1;
    return i;
  };
  const labels: number[] = [];
  let allGrey = true;

  const writer = await DatasetWriter.create(opts.workspace, size * size * outChannels);
  try {
    // 4. arrays
    for (const b of blocks) {
      const map = b.classes.map(classIndex);
      await writeBlock(writer, b, { size, fit, channels: outChannels }, signal);
      if (b.channels === 3) allGrey = false;
      for (let i = 0; i < b.count; i++) labels.push(b.labels ? map[b.labels[i]!] ?? classIndex(String(b.labels[i])) : labelled ? classIndex(UNLABELLED) : 0);
      counts.decoded += b.count;
      emit('decoding');
    }
    // 5. images, decoded in parallel, written in order
    const limit = opts.concurrency ?? decodeSlots();
    await orderedPool(
      images,
      limit,
      async (item) => {
        const o = { size, fit, channels: auto ? ('auto' as const) : outChannels };
        return item.fsPath ? decodeImageFile(item.fsPath, o) : decodeImage(await item.load(), o);
      },
      async (r, item) => {
        if (r.ok) {
          await writer.write(r.value.pixels);
          if (!r.value.grey) allGrey = false;
          labels.push(labelled ? classIndex(item.classHint ?? UNLABELLED) : 0);
          counts.decoded++;
        } else {
          const e = r.error;
          if (e instanceof SkipError) skipped.push({ path: item.path, reason: e.reason, detail: e.message });
          else skipped.push({ path: item.path, reason: 'corrupt', detail: e instanceof Error ? e.message : String(e) });
        }
        emit('decoding');
      },
      signal,
    );
    checkAbort();
    if (writer.count === 0) throw nothingGood(skipped);

    // 6. finish: drop empty classes, collapse grey, write
    emit('writing', true);
    const collapse = auto && allGrey;
    const channels: 1 | 3 = collapse ? 1 : outChannels;
    let labelBytes: Uint8Array | undefined;
    const finalClasses: string[] = [];
    let classCounts: number[] = [];
    if (labelled) {
      const used = new Array<number>(classes.length).fill(0);
      for (const l of labels) used[l]!++;
      const remap = new Array<number>(classes.length).fill(-1);
      for (let c = 0; c < classes.length; c++)
        if (used[c]! > 0) {
          remap[c] = finalClasses.length;
          finalClasses.push(classes[c]!);
          classCounts.push(used[c]!);
        }
      if (finalClasses.length > 256) throw new ImportError(`${finalClasses.length} classes; at most 256 are supported`);
      labelBytes = Uint8Array.from(labels, (l) => remap[l]!);
    } else classCounts = [];
    checkAbort();
    const manifest = await writer.finish(
      opts.workspace,
      {
        name: opts.name ?? defaultName(paths),
        width: size,
        height: size,
        channels,
        classes: finalClasses,
        classCounts,
        hasLabels: labelled,
        preprocessing: { size, fit, channels },
        source: { kinds: sourceKinds(paths, blocks, images), paths: paths.map((p) => resolve(p)) },
        skipped: skipped.length,
      },
      labelBytes,
      collapse,
    );
    return { manifest, skipped };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

async function writeBlock(writer: DatasetWriter, b: ArrayBlock, target: { size: number; fit: 'crop' | 'letterbox'; channels: 1 | 3 }, signal?: AbortSignal) {
  const per = b.width * b.height * b.channels;
  if (b.width === target.size && b.height === target.size && b.channels === target.channels) {
    await writer.write(b.pixels.subarray(0, b.count * per));
    return;
  }
  if (b.width === target.size && b.height === target.size && b.channels === 1 && target.channels === 3) {
    const chunk = 4096;
    for (let s = 0; s < b.count; s += chunk) {
      const n = Math.min(chunk, b.count - s);
      const out = new Uint8Array(n * per * 3);
      const src = b.pixels.subarray(s * per, (s + n) * per);
      for (let i = 0; i < src.length; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = src[i]!;
      await writer.write(out);
    }
    return;
  }
  // index lists a chunk at a time: the block's count never sizes an allocation of its own
  const chunk = 4096;
  for (let s = 0; s < b.count; s += chunk) {
    const idx = Array.from({ length: Math.min(chunk, b.count - s) }, (_, i) => s + i);
    await orderedPool(
      idx,
      8,
      (i) => resizeRaw(b.pixels.subarray(i * per, (i + 1) * per), b.width, b.height, b.channels, target),
      async (r) => {
        if (!r.ok) throw r.error;
        await writer.write(r.value);
      },
      signal,
    );
    if (signal?.aborted) return;
  }
}

/**
 * sharp decodes on libuv's thread pool (UV_THREADPOOL_SIZE, 4 unless set before the process starts; the CLI
 * sizes it to the cores for imports). Keep every pool thread busy plus two queued, and no more: decodes queued
 * beyond that only delay other users of the pool (file reads, the writer) and hold file bytes in memory.
 */
export function decodeSlots(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE);
  const threads = Number.isInteger(pool) && pool > 0 ? Math.min(pool, 1024) : 4;
  return Math.min(threads, Math.max(2, availableParallelism() * 2)) + 2;
}

function nothingGood(skipped: Skip[]): ImportError {
  const report = summariseSkipped(skipped, 0);
  const why = Object.entries(report.byReason)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
  const msg = skipped.length === 0 ? 'No images found: the paths hold no supported files.' : `No file could be imported: ${skipped.length} skipped (${why}). First: ${skipped[0]!.path}: ${skipped[0]!.reason}${skipped[0]!.detail ? ` (${skipped[0]!.detail})` : ''}`;
  return new ImportError(msg, skipped);
}

function defaultName(paths: string[]): string {
  const full = paths.map((p) => resolve(p));
  const first = basename(full[0]!).replace(/\.(gz|zip|npz|npy|bin)$/i, '');
  if (full.length === 1) return first;
  // several files from one folder (an IDX images + labels pair, CIFAR batches): name it after the folder
  const parent = dirname(full[0]!);
  if (full.every((p) => dirname(p) === parent) && basename(parent)) return basename(parent);
  return `${first} +${full.length - 1}`;
}

function sourceKinds(paths: string[], blocks: ArrayBlock[], images: FileItem[]): DatasetManifest['source']['kinds'] {
  const kinds = new Set<DatasetManifest['source']['kinds'][number]>();
  for (const b of blocks) kinds.add(/idx/i.test(b.source) ? 'idx' : /\.bin$/i.test(b.source) ? 'cifar' : 'npy');
  if (images.some((i) => i.path.includes('!/'))) kinds.add('zip');
  if (images.some((i) => !i.path.includes('!/') && i.classHint !== undefined)) kinds.add('folder');
  if (images.some((i) => !i.path.includes('!/') && i.classHint === undefined)) kinds.add(paths.length === 1 && images.length === 1 ? 'images' : 'folder');
  return [...kinds];
}
