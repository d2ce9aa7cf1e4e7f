"""The app's layers in PyTorch (main/engine/models/params.ts), NCHW.

Each weight layer knows its app name (e.g. "D/conv1") and kind, so checkpoints (ckpt.py) map it to the app's
tensor names and tfjs layouts. Initialisation follows the app: Glorot-uniform kernels over the app's fans,
zero biases, unit gammas.
"""
import math

import torch
import torch.nn.functional as F

from .sn import SpectralNorm

BN_MOMENTUM = 0.1  # running <- (1 - m) running + m batch, unbiased variance (PyTorch's and the app's)
BN_EPS = 1e-5


def global_moments(x, group):
    """Per-channel mean and biased variance over every rank's batch (two passes, as F.batch_norm), differentiable:
    the all-reduce's backward sums the gradients of every rank's loss, so each rank's inputs get their full share."""
    from torch.distributed.nn.functional import all_reduce
    dims = [0] + list(range(2, x.dim()))
    shape = (1, -1) + (1,) * (x.dim() - 2)
    count = torch.full((1,), float(x.numel() // x.shape[1]), dtype=x.dtype, device=x.device)
    total = all_reduce(torch.cat([x.sum(dims), count]), group=group)
    n = total[-1].detach()
    mean = total[:-1] / n
    var = all_reduce((x - mean.reshape(shape)).pow(2).sum(dims), group=group) / n
    return mean, var, n


def glorot_(t, fan_in, fan_out, generator):
    lim = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        t.uniform_(-lim, lim, generator=generator)
    return t


class Layer(torch.nn.Module):
    """A kernel + bias (none when `bias` is 0), optionally spectrally normalized. Subclasses define `kind`, `out_dim`."""

    kind = ""
    out_dim = 0

    def __init__(self, name, shape, fans, bias, opts):
        super().__init__()
        self.app_name = name
        self.weight = torch.nn.Parameter(glorot_(torch.empty(*shape), fans[0], fans[1], opts.generator))
        # No bias where the reference has none (D's projection embedding, the ResNet D's output): SN bounds no bias.
        self.bias = torch.nn.Parameter(torch.zeros(bias)) if bias else None
        self.sn = SpectralNorm(shape, self.out_dim, opts.sn_iters, opts.generator) if opts.sn else None
        # feature orders that differ between NCHW flattening and the app's NHWC (see ckpt.py); None = same
        self.in_perm = None
        self.out_perm = None

    def kernel(self):
        """W/sigma with the stored u, v for SN layers (no power iteration here), W otherwise."""
        return self.sn.normalized(self.weight) if self.sn is not None else self.weight

    def power_iterate(self, n=None):
        if self.sn is not None:
            self.sn.power_iterate(self.weight, n)


class Dense(Layer):
    kind = "dense"

    def __init__(self, name, n_in, n_out, opts, bias=True):
        super().__init__(name, (n_out, n_in), (n_in, n_out), n_out if bias else 0, opts)

    def forward(self, x):
        return F.linear(x, self.kernel(), self.bias)


def same_pad(size, k, stride):
    """TensorFlow's 'same' padding: (before, after); odd totals put the extra pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


class Conv(Layer):
    kind = "conv2d"

    def __init__(self, name, c_in, c_out, k, stride, opts):
        super().__init__(name, (c_out, c_in, k, k), (k * k * c_in, k * k * c_out), c_out, opts)
        self.k = k
        self.stride = stride

    def forward(self, x):
        ph = same_pad(x.shape[2], self.k, self.stride)
        pw = same_pad(x.shape[3], self.k, self.stride)
        if ph[0] == ph[1] and pw[0] == pw[1]:
            return F.conv2d(x, self.kernel(), self.bias, self.stride, (ph[0], pw[0]))
        return F.conv2d(F.pad(x, (pw[0], pw[1], ph[0], ph[1])), self.kernel(), self.bias, self.stride)


class Deconv(Layer):
    """4x4 stride-2 transposed conv doubling the resolution ('same'); weight [in, out, kh, kw], SN over dim 1."""

    kind = "conv2dTranspose"
    out_dim = 1

    def __init__(self, name, c_in, c_out, opts):
        super().__init__(name, (c_in, c_out, 4, 4), (16 * c_in, 16 * c_out), c_out, opts)

    def forward(self, x):
        return F.conv_transpose2d(x, self.kernel(), self.bias, stride=2, padding=1)


class BatchNorm(torch.nn.Module):
    """Batch norm, conditional when classes > 0 (gamma, beta per class via one-hot x table).

    mode: 'train' = batch statistics, running ones updated; 'eval' = running statistics; 'batch' = batch
    statistics, running ones untouched (EMA weights, which have none of their own). track=False (D's BN):
    no running statistics at all, always the batch's.
    """

    def __init__(self, name, ch, classes=0, track=True):
        super().__init__()
        self.app_name = name
        # a process group: batch statistics over every rank's slice, so a multi-rank run normalises over the global
        # batch as one process would (set by the trainer for runs on several ranks; None = this rank's slice)
        self.sync_group = None
        self.classes = classes
        shape = (classes, ch) if classes > 0 else (ch,)
        self.gamma = torch.nn.Parameter(torch.ones(*shape))
        self.beta = torch.nn.Parameter(torch.zeros(*shape))
        self.track = track
        if track:
            self.register_buffer("moving_mean", torch.zeros(ch))
            self.register_buffer("moving_variance", torch.ones(ch))
        self.mode = "train"

    def forward(self, x, onehot=None):
        if self.sync_group is not None and (not self.track or self.mode == "train"):
            # training forwards only: every rank runs those; samples (eval / batch modes) run on rank 0 alone
            xn = self._synced(x)
        elif not self.track:
            xn = F.batch_norm(x, None, None, training=True, eps=BN_EPS)
        elif self.mode == "eval":
            xn = F.batch_norm(x, self.moving_mean, self.moving_variance, training=False, eps=BN_EPS)
        elif self.mode == "batch":
            xn = F.batch_norm(x, None, None, training=True, eps=BN_EPS)
        else:
            xn = F.batch_norm(x, self.moving_mean, self.moving_variance, training=True, momentum=BN_MOMENTUM, eps=BN_EPS)
        if self.classes > 0 and onehot is not None:
            g, b = onehot @ self.gamma, onehot @ self.beta
        elif self.classes > 0:
            g, b = self.gamma.mean(0), self.beta.mean(0)
        else:
            g, b = self.gamma, self.beta
        if x.dim() == 4:
            g, b = g.reshape(g.shape[0] if g.dim() == 2 else 1, -1, 1, 1), b.reshape(b.shape[0] if b.dim() == 2 else 1, -1, 1, 1)
        return xn * g + b


    def _synced(self, x):
        mean, var, n = global_moments(x, self.sync_group)
        shape = (1, -1) + (1,) * (x.dim() - 2)
        if self.track:
            with torch.no_grad():
                self.moving_mean.mul_(1 - BN_MOMENTUM).add_(mean.detach(), alpha=BN_MOMENTUM)
                self.moving_variance.mul_(1 - BN_MOMENTUM).add_(var.detach() * (n / (n - 1)), alpha=BN_MOMENTUM)
        return (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + BN_EPS)


class LayerNorm(torch.nn.Module):
    """Layer norm over all non-batch axes with a per-channel affine (the app's 'ln' stabiliser)."""

    def __init__(self, name, ch):
        super().__init__()
        self.app_name = name
        self.gamma = torch.nn.Parameter(torch.ones(ch))
        self.beta = torch.nn.Parameter(torch.zeros(ch))

    def forward(self, x):
        dims = tuple(range(1, x.dim()))
        mean = x.mean(dims, keepdim=True)
        var = x.var(dims, unbiased=False, keepdim=True)
        xn = (x - mean) / torch.sqrt(var + BN_EPS)
        shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
        return xn * self.gamma.reshape(shape) + self.beta.reshape(shape)


def upsample2(x):
    return F.interpolate(x, scale_factor=2, mode="nearest")


def avg_pool2(x):
    return F.avg_pool2d(x, 2)


def lrelu(x):
    return F.leaky_relu(x, 0.1)


def hwc_to_chw_perm(c, h, w):
    """perm[i] = the app's (h, w, c) flat index of PyTorch's (c, h, w) flat index i."""
    idx = torch.arange(h * w * c).reshape(h, w, c)  # app index at (h, w, c)
    return idx.permute(2, 0, 1).reshape(-1)
