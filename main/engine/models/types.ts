import type * as tf from '@tensorflow/tfjs';
import type { Params } from './params';

export interface Generator {
  params: Params;
  zdim: number;
  /** Output shape of one sample: [2] for points, [h, w, c] for images. */
  outShape: number[];
  classes: number;
  /** z: [n, zdim]; onehot: [n, classes] when conditional. Returns [n, ...outShape]. */
  apply(z: tf.Tensor, onehot?: tf.Tensor): tf.Tensor;
}

export interface Discriminator {
  params: Params;
  classes: number;
  /** Returns logits of shape [n]. */
  apply(x: tf.Tensor, onehot?: tf.Tensor): tf.Tensor;
}

export interface ModelSpec {
  arch: 'mlp' | 'dcgan28' | 'cnn32' | 'cnn64' | 'resnet32';
  zdim: number;
  /** [2] for points or [h, w, c] for images. */
  dataShape: number[];
  classes: number;
  dNorm: string;
  dCh: number;
  gCh: number;
  snIters: number;
  snWarmup: number;
  seed: number;
}
