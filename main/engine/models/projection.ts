/**
 * The projection discriminator's head (Miyato & Koyama 2018): D(x, y) = ψ(φ(x)) + yᵀ V φ(x).
 * V is an SN embedding with no bias, as the reference's SNEmbedID: a bias b would add bᵀφ(x), a linear map of φ
 * that spectral normalization does not bound. ψ's bias is the caller's choice (`outBias`): the ResNet D has none
 * (sngan_projection's `SNLinear(ch, 1, nobias=True)`), the standard CNN keeps it (chainer-gan-lib's SNDCGAN).
 */
import * as tf from '@tensorflow/tfjs';
import { type Params, dense } from './params';

export function projectionHead(
  p: Params,
  width: number,
  classes: number,
  outBias: boolean,
): (features: tf.Tensor, onehot?: tf.Tensor) => tf.Tensor {
  const out = dense(p, 'out', width, 1, { bias: outBias });
  const embed = classes > 0 ? dense(p, 'embed', classes, width, { bias: false }) : null;
  return (f, onehot) => {
    const o = tf.reshape(out(f), [-1]);
    return embed && onehot ? tf.add(o, tf.sum(tf.mul(embed(onehot), f), 1)) : o;
  };
}
