/** The projection discriminator's head (Miyato & Koyama 2018): D(x, y) = ψ(φ(x)) + yᵀ V φ(x). */
import * as tf from '@tensorflow/tfjs';
import { type Params, dense } from './params';

export function projectionHead(p: Params, width: number, classes: number): (features: tf.Tensor, onehot?: tf.Tensor) => tf.Tensor {
  const out = dense(p, 'out', width, 1);
  const embed = classes > 0 ? dense(p, 'embed', classes, width) : null;
  return (f, onehot) => {
    const o = tf.reshape(out(f), [-1]);
    return embed && onehot ? tf.add(o, tf.sum(tf.mul(embed(onehot), f), 1)) : o;
  };
}
