/**
 * Spectral normalization (Miyato et al., 2018), in the shape of Keras' SpectralNormalization
 * and torch.nn.utils.spectral_norm:
 *
 *   per layer a persistent, non-trainable u ∈ R^rows (and v ∈ R^cols);
 *   each training forward:   v ← normalize(Wᵀ u);  u ← normalize(W v)     (n times, no gradient)
 *   then                     σ = uᵀ W v   (differentiable in W, u and v held constant)
 *                            W̄ = W / σ
 *
 * The kernel variable is never overwritten with W/σ: the optimizer keeps updating the raw W,
 * and W̄ is recomputed from it inside the loss, so gradients flow through σ as in the paper.
 */
import * as tf from '@tensorflow/tfjs';
import { matricise, matriciseTransposed, matrixShape, type SNKind } from './matricise';
import { singularValues } from '../linalg/svd';

export type { SNKind } from './matricise';

export interface SpectralNormOptions {
  /** power iterations per training forward, 1..10 (default 1) */
  iters?: number;
  /** power iterations run once at construction (default 0; PyTorch's parametrization does 15) */
  warmup?: number;
  seed?: number;
  /** prefix for the u/v variable names (tfjs variable names must be unique) */
  name?: string;
}

export interface SpectralNormState { u: Float32Array; v: Float32Array }

/** PyTorch's F.normalize: x / max(‖x‖₂, eps). */
const EPS = 1e-12;
function normalize(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.maximum(tf.norm(x), EPS));
}

function checkIters(n: number, what: string, min: number): number {
  if (!Number.isInteger(n) || n < min || (what === 'iters' && n > 10)) {
    throw new Error(`SpectralNorm: ${what} must be an integer in ${min}..${what === 'iters' ? 10 : '∞'}, got ${n}`);
  }
  return n;
}

export class SpectralNorm {
  readonly kernel: tf.Variable;
  readonly kind: SNKind;
  readonly rows: number;
  readonly cols: number;
  /** left singular vector estimate [rows], non-trainable */
  readonly u: tf.Variable;
  /** right singular vector estimate [cols], non-trainable */
  readonly v: tf.Variable;
  private _iters: number;

  constructor(kernel: tf.Variable, kind: SNKind, opts: SpectralNormOptions = {}) {
    this.kernel = kernel;
    this.kind = kind;
    [this.rows, this.cols] = matrixShape(kernel.shape, kind);
    this._iters = checkIters(opts.iters ?? 1, 'iters', 1);
    const warmup = checkIters(opts.warmup ?? 0, 'warmup', 0);
    const seed = opts.seed;
    const name = opts.name;
    const [u0, v0] = tf.tidy(() => [
      normalize(tf.randomNormal([this.rows], 0, 1, 'float32', seed)),
      normalize(tf.randomNormal([this.cols], 0, 1, 'float32', seed === undefined ? undefined : seed + 1)),
    ]);
    this.u = tf.variable(u0, false, name ? `${name}/sn_u` : undefined);
    this.v = tf.variable(v0, false, name ? `${name}/sn_v` : undefined);
    u0.dispose();
    v0.dispose();
    if (warmup > 0) this.iterate(warmup);
  }

  get iters(): number { return this._iters; }
  set iters(n: number) { this._iters = checkIters(n, 'iters', 1); }

  /** `iters` power iterations on the current W; stores u and v. No gradient flows through this. */
  powerIterate(): void {
    this.iterate(this._iters);
  }

  private iterate(n: number): void {
    const [u, v] = tf.tidy(() => {
      const Wt = matriciseTransposed(this.kernel, this.kind);
      let u: tf.Tensor = this.u, v: tf.Tensor = this.v;
      for (let i = 0; i < n; i++) {
        v = normalize(tf.reshape(tf.matMul(Wt, tf.reshape(u, [this.rows, 1])), [this.cols]));
        u = normalize(tf.reshape(tf.matMul(tf.reshape(v, [1, this.cols]), Wt), [this.rows]));
      }
      return [u, v];
    });
    this.u.assign(u);
    this.v.assign(v);
    u.dispose();
    v.dispose();
  }

  /** σ = uᵀ W v: differentiable in W; u and v (non-trainable) act as constants. */
  sigma(): tf.Scalar {
    return tf.tidy(() => {
      // (vᵀWᵀ)·u: both products are plain row-vector × matrix, no transposed copy of W
      const vtWt = tf.matMul(tf.reshape(this.v, [1, this.cols]), matriciseTransposed(this.kernel, this.kind));
      return tf.sum(tf.mul(tf.reshape(vtWt, [this.rows]), this.u)) as tf.Scalar;
    });
  }

  /** W̄ = W / σ in the kernel's own shape. Use inside the loss function. Does not update u. */
  normalized(): tf.Tensor {
    return tf.tidy(() => tf.div(this.kernel, this.sigma()));
  }

  /** σ estimate from the stored u, v, as a number (diagnostics). */
  sigmaEstimate(): number {
    return tf.tidy(() => this.sigma().dataSync()[0]);
  }

  /** Exact singular values of the current raw W (float64 Jacobi SVD), descending. */
  exactSpectrum(): Float64Array {
    const m = tf.tidy(() => matricise(this.kernel, this.kind));
    const data = m.dataSync();
    m.dispose();
    return singularValues(data as Float32Array, this.rows, this.cols);
  }

  getState(): SpectralNormState {
    return { u: Float32Array.from(this.u.dataSync()), v: Float32Array.from(this.v.dataSync()) };
  }

  setState(s: { u: ArrayLike<number>; v: ArrayLike<number> }): void {
    if (s.u.length !== this.rows || s.v.length !== this.cols) {
      throw new Error(`SpectralNorm.setState: expected u[${this.rows}], v[${this.cols}], got u[${s.u.length}], v[${s.v.length}]`);
    }
    tf.tidy(() => {
      this.u.assign(tf.tensor1d(Float32Array.from(s.u)));
      this.v.assign(tf.tensor1d(Float32Array.from(s.v)));
    });
  }

  /** Disposes u and v (the kernel belongs to its layer). */
  dispose(): void {
    this.u.dispose();
    this.v.dispose();
  }
}
