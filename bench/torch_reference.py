#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: the same SN-GAN training iteration (one D step + one G step)
on CPU with all cores, printed as JSON lines like the tfjs benchmark. Needs PyTorch (Debian: python3-torch).

usage: torch_reference.py [--only cnn32,dcgan28,mlp2d] [--repeats N] [--warmup N] [--no-sn] [--threads N]
"""
import argparse, json, os, resource, statistics, sys, time

import torch
import torch.nn as nn
from torch.nn.utils import spectral_norm



def maybe_sn(layer, use_sn):
    return spectral_norm(layer, n_power_iterations=1) if use_sn else layer


def cnn32(use_sn, zdim=128):
    # Miyato et al. 2018, Table 3 (standard CNN), 32x32x3.
    g = nn.Sequential(
        nn.Linear(zdim, 4 * 4 * 512), nn.Unflatten(1, (512, 4, 4)), nn.BatchNorm2d(512), nn.ReLU(),
        nn.ConvTranspose2d(512, 256, 4, 2, 1), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.Conv2d(64, 3, 3, 1, 1), nn.Tanh())
    chans = [(3, 64, 3, 1), (64, 64, 4, 2), (64, 128, 3, 1), (128, 128, 4, 2), (128, 256, 3, 1), (256, 256, 4, 2), (256, 512, 3, 1)]
    layers = []
    for cin, cout, k, s in chans:
        layers += [maybe_sn(nn.Conv2d(cin, cout, k, s, 1), use_sn), nn.LeakyReLU(0.1)]
    d = nn.Sequential(*layers, nn.Flatten(), maybe_sn(nn.Linear(4 * 4 * 512, 1), use_sn))
    return g, d, (3, 32, 32)


def dcgan28(use_sn, zdim=128, ch=32):
    # The app's 28x28 variant of the standard CNN (main/engine/models/cnn.ts, default width 32).
    g = nn.Sequential(
        nn.Linear(zdim, 7 * 7 * ch * 4), nn.Unflatten(1, (ch * 4, 7, 7)), nn.BatchNorm2d(ch * 4), nn.ReLU(),
        nn.ConvTranspose2d(ch * 4, ch * 2, 4, 2, 1), nn.BatchNorm2d(ch * 2), nn.ReLU(),
        nn.ConvTranspose2d(ch * 2, ch, 4, 2, 1), nn.BatchNorm2d(ch), nn.ReLU(),
        nn.Conv2d(ch, 1, 3, 1, 1), nn.Tanh())
    chans = [(1, ch, 3, 1), (ch, ch, 4, 2), (ch, ch * 2, 3, 1), (ch * 2, ch * 2, 4, 2), (ch * 2, ch * 4, 3, 1)]
    layers = []
    for cin, cout, k, s in chans:
        layers += [maybe_sn(nn.Conv2d(cin, cout, k, s, 1), use_sn), nn.LeakyReLU(0.1)]
    d = nn.Sequential(*layers, nn.Flatten(), maybe_sn(nn.Linear(7 * 7 * ch * 4, 1), use_sn))
    return g, d, (1, 28, 28)


def mlp2d(use_sn, zdim=2, hidden=128):
    # The app's MLP pair (main/engine/models/mlp.ts): three hidden layers each.
    g = nn.Sequential(nn.Linear(zdim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                      nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))
    d = nn.Sequential(maybe_sn(nn.Linear(2, hidden), use_sn), nn.LeakyReLU(0.1),
                      maybe_sn(nn.Linear(hidden, hidden), use_sn), nn.LeakyReLU(0.1),
                      maybe_sn(nn.Linear(hidden, hidden), use_sn), nn.LeakyReLU(0.1),
                      maybe_sn(nn.Linear(hidden, 1), use_sn))
    return g, d, (2,)


MODELS = {'cnn32': (cnn32, 128, 64), 'dcgan28': (dcgan28, 128, 64), 'mlp2d': (mlp2d, 2, 256)}


def bench(name, use_sn, warmup, repeats):
    build, zdim, batch = MODELS[name]
    torch.manual_seed(0)
    g, d, shape = build(use_sn, zdim)
    og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    real = torch.rand(batch, *shape) * 2 - 1

    def iteration():
        z = torch.randn(batch, zdim)
        fake = g(z).detach()
        d_loss = torch.relu(1 - d(real)).mean() + torch.relu(1 + d(fake)).mean()
        od.zero_grad(set_to_none=True); d_loss.backward(); od.step()
        g_loss = -d(g(torch.randn(batch, zdim))).mean()
        og.zero_grad(set_to_none=True); g_loss.backward(); og.step()

    for _ in range(warmup):
        iteration()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); iteration(); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * (len(times) - 1) + 0.5))]
    return {'name': f'{name}{"" if use_sn else "-nosn"}', 'backend': f'pytorch-{torch.__version__}-cpu-{torch.get_num_threads()}t',
            'median_ms': statistics.median(times), 'p10_ms': q(0.1), 'p90_ms': q(0.9),
            'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'repeats': repeats}


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--only', default='cnn32,dcgan28,mlp2d')
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--no-sn', action='store_true', help='also measure without spectral norm')
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for name in a.only.split(','):
        for use_sn in ([True, False] if a.no_sn else [True]):
            reps = a.repeats * (20 if name == 'mlp2d' else 1)
            print(json.dumps(bench(name, use_sn, a.warmup, reps)), flush=True)
