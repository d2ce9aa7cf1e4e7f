"""GAN losses on D logits (main/engine/losses.ts) and the WGAN-GP penalty (main/engine/regularizers.ts)."""
import torch
import torch.nn.functional as F


def d_loss(kind, real, fake):
    if kind == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    if kind == "ns":  # -log sigmoid(real) - log(1 - sigmoid(fake))
        return F.softplus(-real).mean() + F.softplus(fake).mean()
    if kind == "wgan":
        return fake.mean() - real.mean()
    if kind == "ls":
        return 0.5 * (((real - 1) ** 2).mean() + (fake ** 2).mean())
    raise ValueError(f"unknown loss {kind}")


def g_loss(kind, fake):
    if kind in ("hinge", "wgan"):
        return -fake.mean()
    if kind == "ns":
        return F.softplus(-fake).mean()
    if kind == "ls":
        return 0.5 * ((fake - 1) ** 2).mean()
    raise ValueError(f"unknown loss {kind}")


def gradient_penalty(D, real, fake, eps, lam, onehot=None):
    """lam * E[(||grad_x D(x_hat)|| - 1)^2] at x_hat = eps x + (1 - eps) x_fake (Gulrajani et al. 2017).

    The input gradient comes from autograd.grad with create_graph=True, so the caller's ordinary backward()
    differentiates the penalty w.r.t. D's weights (and DDP all-reduces it with the rest of the loss).
    """
    e = eps.reshape(-1, *([1] * (real.dim() - 1)))
    xhat = (e * real + (1 - e) * fake).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(D(xhat, onehot).sum(), xhat, create_graph=True)
    norm = torch.sqrt((g ** 2).flatten(1).sum(1) + 1e-12)
    return lam * ((norm - 1) ** 2).mean()
