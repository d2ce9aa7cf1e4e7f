"""An SNGAN Studio generator for PyTorch: `load_generator(folder=None) -> torch.nn.Module`.

    import torch, generator
    G = generator.load_generator()                # reads generator.safetensors beside this file
    z = torch.randn(16, G.zdim)
    images = G(z)                                 # N x C x H x W in [-1, 1]  (pixel = (v + 1) * 127.5)
    images = G(z, class_onehot)                   # conditional generators: one-hot [N, classes]

Spectral norm is folded into the weights and batch norm is in inference form (fixed statistics), so the module
is plain PyTorch: trace it, script it, fine-tune it. Needs torch only; uses the `safetensors` package when it is
installed and a small reader of the same format otherwise.
"""
import json
import os
import struct

import torch
import torch.nn.functional as F

BN_EPS = 1e-5


def read_safetensors(path):
    """-> ({name: tensor}, metadata). The format: 8-byte LE header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            raise ValueError(f"{name}: unsupported dtype {e['dtype']}")
        a, b = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[8 + n + a:8 + n + b]), dtype=torch.float32) if b > a else torch.zeros(0)
        out[name] = t.reshape(e["shape"])
    return out, meta


class FrozenBatchNorm(torch.nn.Module):
    """Batch norm with fixed statistics; gamma/beta per class (one-hot x table) when conditional."""

    def __init__(self, weight, bias, mean, var):
        super().__init__()
        self.weight, self.bias = torch.nn.Parameter(weight), torch.nn.Parameter(bias)
        self.register_buffer("running_mean", mean)
        self.register_buffer("running_var", var)

    def forward(self, x, onehot=None):
        shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
        xn = (x - self.running_mean.reshape(shape)) / torch.sqrt(self.running_var.reshape(shape) + BN_EPS)
        g, b = self.weight, self.bias
        if g.dim() == 2:
            if onehot is None:
                raise ValueError("this generator is conditional: pass class_onehot [N, classes]")
            g, b = onehot @ g, onehot @ b
            shape = (x.shape[0], -1, 1, 1) if x.dim() == 4 else (x.shape[0], -1)
        return xn * g.reshape(shape) + b.reshape(shape)


def _key(node):
    return node["name"].replace("/", "_")  # ModuleDict keys cannot hold '/'


class Generator(torch.nn.Module):
    def __init__(self, graph, tensors):
        super().__init__()
        self.zdim, self.classes, self.out_shape = graph["zdim"], graph["classes"], graph["outShape"]
        self.nodes, self.output = graph["nodes"], graph["output"]
        self.layers = torch.nn.ModuleDict()
        for n in self.nodes:
            if n["op"] not in ("dense", "conv", "deconv", "bn"):
                continue
            t = {k: tensors[f"{n['name']}.{k}"] for k in ("weight", "bias", "running_mean", "running_var") if f"{n['name']}.{k}" in tensors}
            w = t["weight"]
            if n["op"] == "bn":
                m = FrozenBatchNorm(w, t["bias"], t["running_mean"], t["running_var"])
            else:
                if n["op"] == "dense":
                    m = torch.nn.Linear(w.shape[1], w.shape[0])
                elif n["op"] == "conv":  # 'same' padding of the app's stride-1 odd kernels
                    m = torch.nn.Conv2d(w.shape[1], w.shape[0], n["k"], padding=n["k"] // 2)
                else:  # 4x4, stride 2, doubling the resolution
                    m = torch.nn.ConvTranspose2d(w.shape[0], w.shape[1], 4, stride=2, padding=1)
                with torch.no_grad():
                    m.weight.copy_(w)
                    m.bias.copy_(t["bias"])
            self.layers[_key(n)] = m
        self.eval()

    def forward(self, z, class_onehot=None):
        vals = {"z": z, "class": class_onehot}
        for n in self.nodes:
            x, op = vals[n["inputs"][0]], n["op"]
            if op in ("dense", "conv", "deconv"):
                y = self.layers[_key(n)](x)
            elif op == "bn":
                y = self.layers[_key(n)](x, vals["class"] if n.get("conditional") else None)
            elif op == "reshape":
                y = x.reshape(x.shape[0], *n["shape"])
            elif op == "relu":
                y = torch.relu(x)
            elif op == "tanh":
                y = torch.tanh(x)
            elif op == "upsample2":
                y = F.interpolate(x, scale_factor=2, mode="nearest")
            elif op == "add":
                y = x + vals[n["inputs"][1]]
            else:
                raise ValueError(f"unknown op {op}")
            vals[n["name"]] = y
        return vals[self.output]


def load_generator(folder=None):
    folder = folder or os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(folder, "generator.safetensors")
    try:
        from safetensors.torch import load_file  # optional
        from safetensors import safe_open
        tensors = load_file(path)
        with safe_open(path, "pt") as f:
            meta = f.metadata()
    except ImportError:
        tensors, meta = read_safetensors(path)
    return Generator(json.loads(meta["graph"]), tensors)


if __name__ == "__main__":
    G = load_generator()
    z = torch.randn(4, G.zdim)
    onehot = F.one_hot(torch.arange(4) % G.classes, G.classes).float() if G.classes else None
    with torch.no_grad():
        print(tuple(G(z, onehot).shape))
