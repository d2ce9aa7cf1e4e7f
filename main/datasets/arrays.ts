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

export function digitClasses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}

export function maxLabel(labels: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > m) m = labels[i]!;
  return m;
}
