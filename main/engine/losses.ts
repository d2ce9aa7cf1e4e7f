/** GAN losses on D logits. Each returns scalar tensors; D minimises dLoss, G minimises gLoss. */
import * as tf from '@tensorflow/tfjs';

export type LossName = 'hinge' | 'ns' | 'wgan' | 'ls';

export function dLoss(kind: LossName, real: tf.Tensor, fake: tf.Tensor): tf.Scalar {
  switch (kind) {
    case 'hinge':
      return tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake)))) as tf.Scalar;
    case 'ns':
      // −log σ(real) − log(1 − σ(fake)) = softplus(−real) + softplus(fake)
      return tf.add(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake))) as tf.Scalar;
    case 'wgan':
      return tf.sub(tf.mean(fake), tf.mean(real)) as tf.Scalar;
    case 'ls':
      return tf.mul(0.5, tf.add(tf.mean(tf.square(tf.sub(real, 1))), tf.mean(tf.square(fake)))) as tf.Scalar;
  }
}

export function gLoss(kind: LossName, fake: tf.Tensor): tf.Scalar {
  switch (kind) {
    case 'hinge':
    case 'wgan':
      return tf.neg(tf.mean(fake)) as tf.Scalar;
    case 'ns':
      return tf.mean(tf.softplus(tf.neg(fake))) as tf.Scalar;
    case 'ls':
      return tf.mul(0.5, tf.mean(tf.square(tf.sub(fake, 1)))) as tf.Scalar;
  }
}
