/**
 * DiffAugment (Zhao et al. 2020): the same differentiable augmentations on real and fake images, in every D and G
 * step, so D never sees an un-augmented image and G's gradient flows back through the augmentation. Images are
 * NHWC in [-1, 1]; the ops follow DiffAugment_pytorch.py (rand_brightness, rand_saturation, rand_contrast,
 * rand_translation, rand_cutout) with parameters from the host (params.ts, tensors.ts).
 * On 1-channel images saturation is the identity: the deviation from the channel mean is 0 (the reference's formula
 * gives the same), so only brightness and contrast change a grey image.
 */
import * as tf from '@tensorflow/tfjs';
import type { AugTensors } from './tensors';

function color(x: tf.Tensor4D, t: AugTensors): tf.Tensor4D {
  let y = tf.add(x, t.brightness!) as tf.Tensor4D;
  if (y.shape[3] > 1) {
    const m = tf.mean(y, 3, true);
    y = tf.add(tf.mul(tf.sub(y, m), t.saturation!), m) as tf.Tensor4D;
  }
  const m = tf.mean(y, [1, 2, 3], true);
  return tf.add(tf.mul(tf.sub(y, m), t.contrast!), m) as tf.Tensor4D;
}

/** out[b, i, j] = x[b, i + ty, j + tx] (zero outside) as two batched matmuls with one-hot shift matrices. */
function translation(x: tf.Tensor4D, t: AugTensors): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const cols = tf.reshape(tf.transpose(x, [0, 1, 3, 2]), [n, h * c, w]);
  const shiftedCols = tf.matMul(cols, t.colShift!, false, true);
  const rows = tf.reshape(tf.transpose(tf.reshape(shiftedCols, [n, h, c, w]), [0, 1, 3, 2]), [n, h, w * c]);
  return tf.reshape(tf.matMul(t.rowShift!, rows), [n, h, w, c]);
}

/** Apply the ops the tensors carry, in the order color → translation → cutout (DiffAugment's policy order). */
export function diffAugment(x: tf.Tensor, t: AugTensors): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x as tf.Tensor4D;
    if (t.brightness) y = color(y, t);
    if (t.rowShift) y = translation(y, t);
    if (t.mask) y = tf.mul(y, t.mask);
    return y;
  });
}
