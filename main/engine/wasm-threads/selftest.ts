/**
 * The threaded wasm build's startup self-test: a conv2d (batch 8, 16×16×32 → 32, 3×3, stride 1, 'same') and a
 * matMul on seeded inputs, checked against a float64 JS reference. XNNPACK partitions work deterministically, so
 * threaded results equal single-threaded ones bit for bit (measured: max |Δ| 0); the reference catches a build
 * that computes garbage or not at all.
 */
import * as tf from '@tensorflow/tfjs';

/** Deterministic uniform [-1,1) values (LCG), identical in every process. */
export function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/** NHWC x, HWIO w, stride 1, 'same' padding, float64 accumulation. */
export function refConv2dSame(
  x: Float32Array, [N, H, W, C]: number[],
  w: Float32Array, [KH, KW, , O]: number[],
): Float64Array {
  const out = new Float64Array(N * H * W * O);
  const ph = Math.floor((KH - 1) / 2), pw = Math.floor((KW - 1) / 2);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++) {
        const o0 = ((n * H + i) * W + j) * O;
        for (let kh = 0; kh < KH; kh++) {
          const ii = i + kh - ph;
          if (ii < 0 || ii >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const jj = j + kw - pw;
            if (jj < 0 || jj >= W) continue;
            const x0 = ((n * H + ii) * W + jj) * C;
            const w0 = (kh * KW + kw) * C * O;
            for (let c = 0; c < C; c++) {
              const xv = x[x0 + c];
              const wr = w0 + c * O;
              for (let o = 0; o < O; o++) out[o0 + o] += xv * w[wr + o];
            }
          }
        }
      }
  return out;
}

function refMatMul(a: Float32Array, b: Float32Array, M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const av = a[i * K + k];
      for (let j = 0; j < N; j++) out[i * N + j] += av * b[k * N + j];
    }
  return out;
}

function compare(got: Float32Array, ref: Float64Array) {
  let maxAbs = 0, maxRef = 0, bad = -1;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= maxAbs)) { maxAbs = d; if (Number.isNaN(d)) bad = i; }
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  // Norm-wise relative error: max |got-ref| / max |ref|.
  return { maxAbs, rel: bad >= 0 ? Infinity : maxAbs / (maxRef || 1) };
}

export interface SelfTestResult {
  ok: boolean;
  reason: string;
  backend: string;
  conv: { maxAbs: number; rel: number };
  matmul: { maxAbs: number; rel: number };
  ms: number;
  convOut?: Float32Array;
}

export const CONV_X_SHAPE = [8, 16, 16, 32];
export const CONV_W_SHAPE = [3, 3, 32, 32];

/**
 * NOTE: if the pthreads were dead, the kernel would block this thread
 * forever (synchronous futex wait); no in-thread timer can catch that, so the
 * parent of the process/worker must apply a watchdog.
 */
export async function runSelfTest(tol = 1e-5): Promise<SelfTestResult> {
  const t0 = performance.now();
  const backend = tf.getBackend();
  const xs = seeded(CONV_X_SHAPE.reduce((a, b) => a * b), 1);
  const ws = seeded(CONV_W_SHAPE.reduce((a, b) => a * b), 2).map((v) => v * 0.1);
  const [M, K, N] = [64, 256, 96];
  const am = seeded(M * K, 3), bm = seeded(K * N, 4);
  let convOut: Float32Array, mmOut: Float32Array;
  try {
    convOut = tf.tidy(() =>
      tf.conv2d(tf.tensor4d(xs, CONV_X_SHAPE as [number, number, number, number]),
        tf.tensor4d(ws, CONV_W_SHAPE as [number, number, number, number]), 1, 'same'),
    ).dataSync() as Float32Array;
    mmOut = tf.tidy(() => tf.matMul(tf.tensor2d(am, [M, K]), tf.tensor2d(bm, [K, N]))).dataSync() as Float32Array;
  } catch (e) {
    const z = { maxAbs: NaN, rel: NaN };
    return { ok: false, reason: `kernel threw: ${String((e as Error)?.message ?? e)}`, backend, conv: z, matmul: z, ms: performance.now() - t0 };
  }
  const conv = compare(convOut, refConv2dSame(xs, CONV_X_SHAPE, ws, CONV_W_SHAPE));
  const matmul = compare(mmOut, refMatMul(am, bm, M, K, N));
  const problems: string[] = [];
  if (!(conv.rel <= tol)) problems.push(`conv2d rel err ${conv.rel.toExponential(2)} > ${tol}`);
  if (!(matmul.rel <= tol)) problems.push(`matMul rel err ${matmul.rel.toExponential(2)} > ${tol}`);
  return {
    ok: problems.length === 0,
    reason: problems.length ? problems.join('; ') : `conv2d/matMul match float64 reference within ${tol}`,
    backend, conv, matmul, ms: performance.now() - t0, convOut,
  };
}
