/** Discriminator stabilisers that are not layers: WGAN-GP gradient penalty and weight clipping. */
import * as tf from '@tensorflow/tfjs';

/**
 * λ · E[(‖∇x D(x̂)‖₂ − 1)²] at x̂ = εx + (1−ε)x̃ (Gulrajani et al. 2017).
 * `eps` is [n] uniform in [0,1) drawn by the caller's seeded RNG. Differentiable w.r.t. D's weights.
 */
export function gradientPenalty(
  D: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  eps: tf.Tensor,
  lambda: number,
): tf.Scalar {
  const shape = [real.shape[0], ...real.shape.slice(1).map(() => 1)];
  const e = tf.reshape(eps, shape);
  const xhat = tf.add(tf.mul(e, real), tf.mul(tf.sub(1, e), fake));
  const g = tf.grad((x: tf.Tensor) => tf.sum(D(x)))(xhat);
  const axes = g.shape.map((_, i) => i).slice(1);
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(g), axes), 1e-12));
  return tf.mul(lambda, tf.mean(tf.square(tf.sub(norm, 1)))) as tf.Scalar;
}

/** Clip every variable to [−c, c] (WGAN weight clipping), in place. */
export function clipWeights(vars: tf.Variable[], c: number): void {
  tf.tidy(() => {
    for (const v of vars) v.assign(tf.clipByValue(v, -c, c));
  });
}
