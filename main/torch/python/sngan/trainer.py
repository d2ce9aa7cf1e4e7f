"""One GAN in PyTorch: models, Adam, EMA and the training step of the app's trainer (main/engine/trainer/trainer.ts):
n_dis D updates (power iteration once per update, before D's forwards), then one G update (D's u refreshed
again, as torch's spectral_norm and Chainer's SNGAN do on every training forward of D).

Distributed: G and D are separate DDP modules (broadcast_buffers=False, so the SN vectors and BN statistics
are never overwritten by rank 0's mid-run). DDP averages gradients; every rank holds the same weights, so the
same power iteration gives the same u everywhere. `batch` is GLOBAL: each of W ranks computes batch/W samples.
All of a step's randomness is drawn from generators seeded by (seed, step), so resuming needs only the step.
"""
import math

import torch
import torch.distributed as dist

from . import ckpt
from .config import model_spec, resolve
from .data import seeded
from .losses import d_loss, g_loss, gradient_penalty
from .models import build_models
from .rng import Rng

SAMPLE_GRID = 64
SAMPLE_POINTS = 1000


class NonFinite(Exception):
    def __init__(self, step, layer, what):
        super().__init__(f"non-finite {what} at step {step} (layer {layer})")
        self.step, self.layer = step, layer


def lr_at(lr0, decay, step, total):
    return lr0 if decay == "none" else lr0 * max(0.0, 1 - step / max(1, total))


def _default_start(n):
    return torch.tensor([1 + 0.5 * math.sin(1 + i * 1.7) for i in range(n)])


def spectral_norm_estimate(m, start, iters=30):
    """sigma_max of m [rows, cols] by power iteration from `start` (the app's diagnostics.ts), -> (sigma, u)."""
    u = start / (start.norm() + 1e-12)
    wv = torch.zeros(m.shape[0], device=m.device)
    for _ in range(iters):
        v = m.t() @ u
        v = v / (v.norm() + 1e-12)
        wv = m @ v
        u = wv / (wv.norm() + 1e-12)
    return wv.norm().item(), u


class Trainer:
    def __init__(self, config, data, device="cpu", rank=0, world=1, sync_bn=True):
        self.config, self.data, self.device, self.rank, self.world = config, data, device, rank, world
        self.eff = resolve(config, data.kind)
        self.spec = model_spec(config, data.shape, len(data.classes))
        self.classes = self.spec["classes"]
        if config["batch"] % world:
            raise ValueError(f"batch {config['batch']} (global) does not split evenly over {world} ranks")
        self.local = config["batch"] // world
        self.part = slice(rank * self.local, (rank + 1) * self.local)
        G, D = build_models(self.spec, seeded(config["seed"], 1))  # same seed on every rank: same initial weights
        if config["sn"]["warmup"] > 0:
            D.power_iterate(config["sn"]["warmup"])
        self.G, self.D = G.to(device), D.to(device)
        self.Gd, self.Dd = self.G, self.D
        self.bn_synced = world > 1 and sync_bn
        if world > 1:
            if sync_bn:  # batch norm over the global batch, on a group of its own (apart from DDP's gradient traffic)
                group = dist.new_group(ranks=list(range(world)))
                for net in (self.G, self.D):
                    net.set_bn_sync(group)
            ids = [torch.device(device).index] if str(device).startswith("cuda") else None
            self.Gd = torch.nn.parallel.DistributedDataParallel(self.G, device_ids=ids, broadcast_buffers=False)
            self.Dd = torch.nn.parallel.DistributedDataParallel(self.D, device_ids=ids, broadcast_buffers=False)
        e = self.eff
        self.optG = torch.optim.Adam(self.G.parameters(), e["lr"], (e["beta1"], e["beta2"]), eps=1e-8)
        self.optD = torch.optim.Adam(self.D.parameters(), e["lr"], (e["beta1"], e["beta2"]), eps=1e-8)
        self.ema = [p.detach().clone() for p in self.G.parameters()] if config["ema"]["enabled"] else None
        self.step = 0
        self.total_steps = config["steps"]
        self._starts = {}
        self.last_diag = None
        n = SAMPLE_POINTS if data.kind == "points" else SAMPLE_GRID
        self.fixed_z = torch.tensor(Rng.derive(config["seed"], 2).normal(n * e["zdim"])).reshape(n, e["zdim"]).to(device)
        self.fixed_onehot = None
        if self.classes:
            lab = torch.tensor([i * self.classes // n for i in range(n)])
            self.fixed_onehot = self.onehot(lab)

    def onehot(self, labels):
        return torch.nn.functional.one_hot(labels.to(self.device), self.classes).float()

    def _draw(self, gen, want_eps=False):
        """z, fake-class one-hot and GP epsilon for the GLOBAL batch; this rank's slice."""
        B, zdim = self.config["batch"], self.eff["zdim"]
        z = torch.randn(B, zdim, generator=gen)[self.part].to(self.device)
        oh = self.onehot(torch.randint(self.classes, (B,), generator=gen)[self.part]) if self.classes else None
        eps = torch.rand(B, generator=gen)[self.part].to(self.device) if want_eps else None
        return z, oh, eps

    def _check_grads(self, net, what):
        """NaN guard. Gradients are identical on every rank after DDP's all-reduce: every rank decides alike."""
        grads = [p.grad for p in net.parameters() if p.grad is not None]
        if grads and not torch.isfinite(torch.stack([g.abs().sum() for g in grads]).sum()):
            names = {id(t): n for n, t, _, _ in ckpt.layer_entries(net)}
            bad = next((p for p in net.parameters() if p.grad is not None and not torch.isfinite(p.grad).all()), None)
            raise NonFinite(self.step, names.get(id(bad), "unknown/").rsplit("/", 1)[0], what)

    def train_step(self, want_diag=False):
        c, e = self.config, self.eff
        lr = lr_at(e["lr"], e["lrDecay"], self.step, self.total_steps)
        for opt in (self.optD, self.optG):
            for g in opt.param_groups:
                g["lr"] = lr
        self.lr = lr
        gp = c["d"]["norm"] in ("gp", "sn+gp")
        B = c["batch"]
        for k in range(e["ndis"]):
            real, labels = self.data.batch(c["seed"], self.step * e["ndis"] + k, B, self.part)
            real = real.to(self.device)
            z, oh_fake, eps = self._draw(seeded(c["seed"], 21, self.step, k), gp)
            oh_real = self.onehot(labels) if self.classes else None
            with torch.no_grad():
                fake = self.G(z, oh_fake)
            self.D.power_iterate()
            if want_diag and k == e["ndis"] - 1:
                self.last_diag = self.measure()
            out_real, out_fake = self.Dd(real, oh_real), self.Dd(fake, oh_fake)
            loss = d_loss(e["loss"], out_real, out_fake)
            if gp:
                loss = loss + gradient_penalty(self.Dd, real, fake, eps, c["d"]["gpLambda"], oh_real)
            self.optD.zero_grad(set_to_none=True)
            loss.backward()
            self._check_grads(self.D, "discriminator loss or gradient")
            if want_diag and k == e["ndis"] - 1:
                self.grad_norms = {m.app_name: m.weight.grad.norm().item() for m in self.D.kernels() if m.weight.grad is not None}
            self.optD.step()
            if c["d"]["norm"] == "clip":
                with torch.no_grad():
                    for p in self.D.parameters():
                        p.clamp_(-c["d"]["clip"], c["d"]["clip"])
            d_stats = torch.stack([loss.detach(), out_real.detach().mean(), out_fake.detach().mean()])

        z, oh, _ = self._draw(seeded(c["seed"], 22, self.step))
        self.D.power_iterate()
        self.D.requires_grad_(False)  # D's gradients are not needed in the G update
        try:
            gl = g_loss(e["loss"], self.D(self.Gd(z, oh), oh))
            self.optG.zero_grad(set_to_none=True)
            gl.backward()
        finally:
            self.D.requires_grad_(True)
        self._check_grads(self.G, "generator loss or gradient")
        self.optG.step()
        if self.ema is not None:
            with torch.no_grad():
                for s, p in zip(self.ema, self.G.parameters()):
                    if self.step < c["ema"]["start"]:
                        s.copy_(p)
                    else:
                        s.mul_(c["ema"]["decay"]).add_(p.detach(), alpha=1 - c["ema"]["decay"])
        self.step += 1
        stats = torch.cat([d_stats, gl.detach().reshape(1)])
        return stats  # local; reduce_losses() averages over ranks for logging

    def reduce_losses(self, stats):
        if self.world > 1:
            stats = stats.clone()
            dist.all_reduce(stats)
            stats /= self.world
        dl, dr, df, gl = stats.tolist()
        return {"dLoss": dl, "gLoss": gl, "dReal": dr, "dFake": df}

    # ---- diagnostics (the app's SigmaProbe) ----

    @torch.no_grad()
    def measure(self):
        layers = []
        for k in self.D.kernels():
            m = k.sn.matrix(k.weight) if k.sn is not None else _matrix(k)
            start = k.sn.u if k.sn is not None else self._starts.get(k.app_name, _default_start(m.shape[0]).to(m.device))
            sigma, u = spectral_norm_estimate(m, start)
            self._starts[k.app_name] = u
            bar = sigma / k.sn.sigma(k.weight).item() if k.sn is not None else sigma
            layers.append({"name": k.app_name, "sigmaRaw": sigma, "sigmaBar": bar, "gradNorm": 0.0})
        return layers

    def diagnostics(self):
        layers = [dict(l, gradNorm=getattr(self, "grad_norms", {}).get(l["name"], 0.0)) for l in (self.last_diag or self.measure())]
        bound = 1.0
        for l in layers:
            bound *= l["sigmaBar"]
        return layers, bound

    # ---- samples ----

    @torch.no_grad()
    def sample(self):
        """G on the fixed latents: EMA weights (batch statistics) when enabled, else running statistics."""
        saved = None
        if self.ema is not None:
            saved = [p.detach().clone() for p in self.G.parameters()]
            for p, s in zip(self.G.parameters(), self.ema):
                p.copy_(s)
        self.G.set_bn_mode("batch" if self.ema is not None else "eval")
        try:
            return self.G(self.fixed_z, self.fixed_onehot)
        finally:
            self.G.set_bn_mode("train")
            if saved is not None:
                for p, s in zip(self.G.parameters(), saved):
                    p.copy_(s)

    # ---- state ----

    def sync_stats(self):
        """Average G's BN running statistics over ranks (each saw its own slice; --no-sync-bn), before they are saved.
        With synchronised BN every rank already holds the global batch's statistics."""
        if self.world > 1 and not self.bn_synced:
            for name, t, _, g in ckpt.layer_entries(self.G):
                if g == "stat":
                    dist.all_reduce(t.data)
                    t.data /= self.world

    def state_bytes(self):
        tensors = ckpt.model_tensors(self.G, self.D)
        for tag, opt, net in (("adamG", self.optG, self.G), ("adamD", self.optD, self.D)):
            names = ckpt.param_names(net)
            for p in net.parameters():
                name, conv = names[id(p)]
                st = opt.state.get(p, {})
                for key, moment in (("m", "exp_avg"), ("v", "exp_avg_sq")):
                    tensors.append((f"{tag}_{key}:{name}", conv.to_app(st[moment] if moment in st else torch.zeros_like(p))))
        if self.ema is not None:
            names = ckpt.param_names(self.G)
            for p, s in zip(self.G.parameters(), self.ema):
                name, conv = names[id(p)]
                tensors.append((f"ema:{name}", conv.to_app(s)))
        header = {
            "step": self.step,
            # the app's own RNG state, so the app can resume this checkpoint too
            "rng": Rng.derive((self.config["seed"] ^ (self.step * 7919)) & 0x7FFFFFFF, 1).state(),
            "adamG": {"t": _adam_t(self.optG)},
            "adamD": {"t": _adam_t(self.optD)},
            "hasEma": self.ema is not None,
            "meta": {"arch": self.spec["arch"], "engine": "pytorch", "torch": torch.__version__, "world": self.world},
        }
        return ckpt.encode(tensors, header)

    def load_bytes(self, data, weights_only=False):
        header, tensors = ckpt.decode(data)
        tensors = {k: v.to(self.device) for k, v in tensors.items()}
        ckpt.load_model(self.G, tensors)
        ckpt.load_model(self.D, tensors)
        if weights_only:
            return header
        for tag, opt, net, t in (("adamG", self.optG, self.G, header["adamG"]["t"]), ("adamD", self.optD, self.D, header["adamD"]["t"])):
            names = ckpt.param_names(net)
            for p in net.parameters():
                name, conv = names[id(p)]
                m, v = tensors.get(f"{tag}_m:{name}"), tensors.get(f"{tag}_v:{name}")
                if m is not None and v is not None and t > 0:
                    opt.state[p] = {"step": torch.tensor(float(t)), "exp_avg": conv.from_app(m, p).clone(), "exp_avg_sq": conv.from_app(v, p).clone()}
        if self.ema is not None:
            names = ckpt.param_names(self.G)
            for p, s in zip(self.G.parameters(), self.ema):
                name, conv = names[id(p)]
                a = tensors.get(f"ema:{name}")
                s.copy_(conv.from_app(a, p) if a is not None else p.detach())
        self.step = header["step"]
        return header


def _matrix(layer):
    w = layer.weight
    if layer.out_dim:
        w = w.transpose(0, layer.out_dim)
    return w.detach().reshape(w.shape[0], -1)


def _adam_t(opt):
    for st in opt.state.values():
        if "step" in st:
            return int(float(st["step"]))
    return 0
