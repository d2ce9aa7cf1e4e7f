/** Turn the array-format items of an import (IDX, CIFAR-10, npy) into blocks, pairing labels with images. */
import type { ArrayBlock } from './arrays';
import { SkipError } from './errors';
import { idxToBlock, labelsNameFor } from './idx';
import { cifarToBlock, parseCifarMeta } from './cifar';
import { type NpyArray, isLabelArray, npyToBlock, pairNpz, parseNpy } from './npy';
import type { FileItem, Skip } from './scan';

function skipFrom(item: FileItem, err: unknown, skipped: Skip[]): void {
  if (err instanceof SkipError) skipped.push({ path: item.path, reason: err.reason, detail: err.message });
  else skipped.push({ path: item.path, reason: 'corrupt', detail: err instanceof Error ? err.message : String(err) });
}

export async function collectArrays(files: FileItem[], skipped: Skip[]): Promise<{ blocks: ArrayBlock[]; consumed: Set<FileItem> }> {
  const blocks: ArrayBlock[] = [];
  const consumed = new Set<FileItem>();
  const inGroup = (g: string, kind: FileItem['kind']) => files.filter((f) => f.group === g && f.kind === kind);

  // CIFAR class names
  const meta = new Map<string, string[]>();
  for (const f of files.filter((f) => f.kind === 'cifar-meta')) {
    consumed.add(f);
    try {
      meta.set(f.group, parseCifarMeta(new TextDecoder().decode(await f.load())));
    } catch (err) {
      skipFrom(f, err, skipped);
    }
  }

  // IDX images with their labels
  for (const f of files.filter((f) => f.kind === 'idx-images')) {
    consumed.add(f);
    const want = labelsNameFor(f.name);
    const lab = inGroup(f.group, 'idx-labels').find((l) => want.includes(l.name));
    if (lab) consumed.add(lab);
    try {
      blocks.push(idxToBlock(f.path, await f.load(), lab ? await lab.load() : undefined));
    } catch (err) {
      skipFrom(f, err, skipped);
      if (lab) skipped.push({ path: lab.path, reason: 'shape-mismatch', detail: `its images file ${f.path} was skipped` });
    }
  }
  for (const f of files.filter((f) => f.kind === 'idx-labels' && !consumed.has(f))) {
    consumed.add(f);
    skipped.push({ path: f.path, reason: 'unsupported', detail: 'IDX labels file with no matching images file' });
  }

  // CIFAR-10 batches
  for (const f of files.filter((f) => f.kind === 'cifar')) {
    consumed.add(f);
    try {
      blocks.push(cifarToBlock(f.path, await f.load(), meta.get(f.group)));
    } catch (err) {
      skipFrom(f, err, skipped);
    }
  }

  // npy arrays, paired within their group (an .npz, a folder)
  const groups = new Set(files.filter((f) => f.kind === 'npy').map((f) => f.group));
  for (const g of groups) {
    const parsed: { name: string; array: NpyArray; item: FileItem }[] = [];
    for (const f of inGroup(g, 'npy')) {
      consumed.add(f);
      try {
        parsed.push({ name: f.name.replace(/\.npy$/i, '').split('/').pop()!, array: parseNpy(await f.load()), item: f });
      } catch (err) {
        skipFrom(f, err, skipped);
      }
    }
    const pairs = pairNpz(parsed);
    const usedLabels = new Set(pairs.map((p) => p.labels));
    for (const p of pairs) {
      const item = parsed.find((x) => x.array === p.images.array)!.item;
      try {
        blocks.push(npyToBlock(item.path, p.images.array, p.labels));
      } catch (err) {
        skipFrom(item, err, skipped);
      }
    }
    for (const x of parsed) {
      if (x.array.shape.length >= 3) continue;
      if (isLabelArray(x.array) && usedLabels.has(x.array)) continue;
      skipped.push({ path: x.item.path, reason: 'shape-mismatch', detail: `array of shape (${x.array.shape.join(', ')}) is neither images nor labels matching an images array` });
    }
  }
  return { blocks, consumed };
}
