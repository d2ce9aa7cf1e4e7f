/**
 * CIFAR-10 binary batches (`data_batch_N.bin`, `test_batch.bin`): records of 1 label byte + 3072 bytes,
 * the image stored planar (1024 R, 1024 G, 1024 B, each 32×32 row-major). We repack to NHWC.
 */
import { SkipError } from './errors';
import { type ArrayBlock, CIFAR10_CLASSES, checkImageShape, digitClasses, maxLabel } from './arrays';

const RECORD = 1 + 3 * 32 * 32;

export function isCifarName(name: string): boolean {
  return /(^|\/)(data_batch_\d+|test_batch)\.bin$/i.test(name);
}

/** Class names from batches.meta.txt (one per line), if present. */
export function parseCifarMeta(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function cifarToBlock(source: string, buf: Uint8Array, classNames?: string[]): ArrayBlock {
  if (buf.length === 0) throw new SkipError('empty', 'file is empty');
  if (buf.length % RECORD !== 0) {
    const reason = buf.length > RECORD ? 'truncated' : 'shape-mismatch';
    throw new SkipError(reason, `${buf.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records`);
  }
  const count = buf.length / RECORD;
  checkImageShape(count, 32, 32, 'CIFAR-10 batch');
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * 3072);
  for (let n = 0; n < count; n++) {
    const r = n * RECORD;
    labels[n] = buf[r]!;
    const o = n * 3072;
    for (let p = 0; p < 1024; p++) {
      pixels[o + 3 * p] = buf[r + 1 + p]!;
      pixels[o + 3 * p + 1] = buf[r + 1 + 1024 + p]!;
      pixels[o + 3 * p + 2] = buf[r + 1 + 2048 + p]!;
    }
  }
  const k = maxLabel(labels) + 1;
  if (k > 100) throw new SkipError('corrupt', `label ${k - 1} is out of range for CIFAR`);
  const classes = classNames && classNames.length >= k ? classNames : k <= 10 ? CIFAR10_CLASSES : digitClasses(k);
  return { source, width: 32, height: 32, channels: 3, count, pixels, labels, classes };
}
