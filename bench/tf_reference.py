#!/usr/bin/env python3
"""TensorFlow 2 CPU reference for `npm run bench`: the same SN-GAN training iteration (one D step + one G step)
as bench/torch_reference.py and the app, with Keras 3's SpectralNormalization (one power iteration per
training call), NHWC, the step compiled with tf.function. Printed as JSON lines like the tfjs benchmark.
Bench only: needs a Python with `tensorflow` (pip install tensorflow-cpu), never a dependency of the app or CI.

usage: tf_reference.py [--only cnn32,dcgan28,mlp2d] [--repeats N] [--warmup N] [--no-sn] [--threads N]
"""
import argparse, json, os, resource, statistics, time

ap = argparse.ArgumentParser()
ap.add_argument('--only', default='cnn32,dcgan28,mlp2d')
ap.add_argument('--repeats', type=int, default=5)
ap.add_argument('--warmup', type=int, default=2)
ap.add_argument('--no-sn', action='store_true', help='also measure without spectral norm')
ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
args = ap.parse_args()

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(args.threads)
tf.config.threading.set_inter_op_parallelism_threads(1)


def sn(layer, use_sn):
    return L.SpectralNormalization(layer, power_iterations=1) if use_sn else layer


def d_stack(chans, use_sn, head_in):
    # conv k/s with padding 1 as in the paper (k3 s1 'same'; k4 s2: pad 1 each side, then 'valid')
    out = []
    for cin, cout, k, s in chans:
        if s == 2:
            out.append(L.ZeroPadding2D(1))
            out.append(sn(L.Conv2D(cout, k, s, padding='valid'), use_sn))
        else:
            out.append(sn(L.Conv2D(cout, k, s, padding='same'), use_sn))
        out.append(L.LeakyReLU(0.1))
    return keras.Sequential(out + [L.Flatten(), sn(L.Dense(1), use_sn)])


def cnn32(use_sn, zdim=128):
    g = keras.Sequential([
        L.Input((zdim,)), L.Dense(4 * 4 * 512), L.Reshape((4, 4, 512)), L.BatchNormalization(), L.ReLU(),
        L.Conv2DTranspose(256, 4, 2, padding='same'), L.BatchNormalization(), L.ReLU(),
        L.Conv2DTranspose(128, 4, 2, padding='same'), L.BatchNormalization(), L.ReLU(),
        L.Conv2DTranspose(64, 4, 2, padding='same'), L.BatchNormalization(), L.ReLU(),
        L.Conv2D(3, 3, 1, padding='same', activation='tanh')])
    d = d_stack([(3, 64, 3, 1), (64, 64, 4, 2), (64, 128, 3, 1), (128, 128, 4, 2), (128, 256, 3, 1), (256, 256, 4, 2), (256, 512, 3, 1)], use_sn, 4 * 4 * 512)
    d.build((None, 32, 32, 3))
    return g, d, (32, 32, 3)


def dcgan28(use_sn, zdim=128, ch=32):
    g = keras.Sequential([
        L.Input((zdim,)), L.Dense(7 * 7 * ch * 4), L.Reshape((7, 7, ch * 4)), L.BatchNormalization(), L.ReLU(),
        L.Conv2DTranspose(ch * 2, 4, 2, padding='same'), L.BatchNormalization(), L.ReLU(),
        L.Conv2DTranspose(ch, 4, 2, padding='same'), L.BatchNormalization(), L.ReLU(),
        L.Conv2D(1, 3, 1, padding='same', activation='tanh')])
    d = d_stack([(1, ch, 3, 1), (ch, ch, 4, 2), (ch, ch * 2, 3, 1), (ch * 2, ch * 2, 4, 2), (ch * 2, ch * 4, 3, 1)], use_sn, 7 * 7 * ch * 4)
    d.build((None, 28, 28, 1))
    return g, d, (28, 28, 1)


def mlp2d(use_sn, zdim=2, hidden=128):
    g = keras.Sequential([L.Input((zdim,)), L.Dense(hidden, activation='relu'), L.Dense(hidden, activation='relu'), L.Dense(hidden, activation='relu'), L.Dense(2)])
    d = keras.Sequential([L.Input((2,)), sn(L.Dense(hidden), use_sn), L.LeakyReLU(0.1), sn(L.Dense(hidden), use_sn), L.LeakyReLU(0.1),
                          sn(L.Dense(hidden), use_sn), L.LeakyReLU(0.1), sn(L.Dense(1), use_sn)])
    return g, d, (2,)


MODELS = {'cnn32': (cnn32, 128, 64), 'dcgan28': (dcgan28, 128, 64), 'mlp2d': (mlp2d, 2, 256)}


def bench(name, use_sn, warmup, repeats):
    build, zdim, batch = MODELS[name]
    keras.utils.set_random_seed(0)
    g, d, shape = build(use_sn, zdim)
    og = keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999)
    od = keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999)
    real = tf.random.uniform((batch, *shape), -1, 1)
    g(tf.zeros((batch, zdim)), training=True)
    og.build(g.trainable_variables)
    od.build(d.trainable_variables)

    @tf.function(jit_compile=False)
    def iteration():
        fake = g(tf.random.normal((batch, zdim)), training=True)
        with tf.GradientTape() as tape:
            d_loss = tf.reduce_mean(tf.nn.relu(1 - d(real, training=True))) + tf.reduce_mean(tf.nn.relu(1 + d(fake, training=True)))
        od.apply_gradients(zip(tape.gradient(d_loss, d.trainable_variables), d.trainable_variables))
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(d(g(tf.random.normal((batch, zdim)), training=True), training=True))
        og.apply_gradients(zip(tape.gradient(g_loss, g.trainable_variables), g.trainable_variables))
        return d_loss + g_loss

    for _ in range(warmup):
        iteration().numpy()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); iteration().numpy(); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * (len(times) - 1) + 0.5))]
    return {'name': f'{name}{"" if use_sn else "-nosn"}', 'backend': f'tensorflow-{tf.__version__}-cpu-{args.threads}t', 'threads': args.threads,
            'median_ms': statistics.median(times), 'p10_ms': q(0.1), 'p90_ms': q(0.9),
            'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'repeats': repeats}


for name in args.only.split(','):
    for use_sn in ([True, False] if args.no_sn else [True]):
        reps = args.repeats * (20 if name == 'mlp2d' else 1)
        print(json.dumps(bench(name, use_sn, args.warmup, reps)), flush=True)
