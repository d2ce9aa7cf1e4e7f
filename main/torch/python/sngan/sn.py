"""Spectral normalization as the app does it (main/engine/sn/spectral-norm.ts).

Per layer a persistent, non-trainable u (rows) and v (cols). The weight matrix has the layer's OUTPUT axis as
rows: Linear [out, in] and Conv2d [out, in, kh, kw] use dim 0, ConvTranspose2d [in, out, kh, kw] dim 1 (as
torch.nn.utils.spectral_norm does for transposed convs). Power iteration is explicit — `power_iterate()` runs
`iters` steps once per training forward of the whole network, never inside the loss — and sigma = u^T W v is
differentiable in W with u and v held constant, so W_bar = W / sigma carries the paper's gradient through sigma.
"""
import torch
import torch.nn.functional as F

EPS = 1e-12


def normalize(x):
    """PyTorch's F.normalize: x / max(||x||, eps) — the app uses the same."""
    return F.normalize(x, dim=0, eps=EPS)


class SpectralNorm(torch.nn.Module):
    def __init__(self, weight_shape, out_dim, iters=1, generator=None):
        super().__init__()
        self.out_dim = out_dim
        self.iters = iters
        rows = weight_shape[out_dim]
        cols = 1
        for s in weight_shape:
            cols *= s
        cols //= rows
        self.register_buffer("u", normalize(torch.randn(rows, generator=generator)))
        self.register_buffer("v", normalize(torch.randn(cols, generator=generator)))

    def matrix(self, w):
        """[rows, cols]: the output axis first, the rest flattened in PyTorch's order (in, kh, kw)."""
        if self.out_dim != 0:
            w = w.transpose(0, self.out_dim)
        return w.reshape(w.shape[0], -1)

    @torch.no_grad()
    def power_iterate(self, w, n=None):
        m = self.matrix(w)
        u, v = self.u, self.v
        for _ in range(self.iters if n is None else n):
            v = normalize(torch.mv(m.t(), u))
            u = normalize(torch.mv(m, v))
        self.u.copy_(u)
        self.v.copy_(v)

    def sigma(self, w):
        return torch.dot(self.u, torch.mv(self.matrix(w), self.v))

    def normalized(self, w):
        return w / self.sigma(w)
