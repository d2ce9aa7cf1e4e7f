import { SkipError } from './errors';

/** A block of same-shaped uint8 images decoded from an array format (IDX, CIFAR, npy). */
export interface ArrayBlock {
  source: string;
  width: number;
  height: number;
  channels: 1 | 3;
  count: number;
  /** NHWC uint8 */
  pixels: Uint8Array;
  labels?: Uint8Array;
  classes: string[];
}

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Most images one array file may hold (ImageNet 32×32 has 1.28 M): a bigger count is a header that lies. */
export const MAX_ARRAY_IMAGES = 1 << 23;
/** Largest side of an array-format image. */
export const MAX_ARRAY_SIDE = 8192;

/**
 * Refuse a shape read from a header before anything is sized by it: zero or absurd sides, absurd counts.
 * Counts against the bytes actually present are the readers' job (they know the layout).
 */
export function checkImageShape(count: number, height: number, width: number, what: string): void {
  const shape = `${count} images of ${height}×${width}`;
  if (![count, height, width].every(Number.isSafeInteger)) throw new SkipError('corrupt', `${what} shape ${shape} is not whole numbers`);
  if (count === 0) throw new SkipError('empty', `${what} holds no images`);
  if (height === 0 || width === 0) throw new SkipError('corrupt', `${what} header claims ${shape} pixels: a zero side`);
  if (height > MAX_ARRAY_SIDE || width > MAX_ARRAY_SIDE) throw new SkipError('too-large', `${what} header claims ${shape} pixels, over the ${MAX_ARRAY_SIDE}-pixel side limit`);
  if (count > MAX_ARRAY_IMAGES) throw new SkipError('too-large', `${what} header claims ${shape} pixels, over the ${MAX_ARRAY_IMAGES}-image limit`);
}

export function digitClasses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}

export function maxLabel(labels: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > m) m = labels[i]!;
  return m;
}
