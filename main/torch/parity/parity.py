#!/usr/bin/env python3
"""Parity runner for main/torch/parity.test.ts (not shipped in packages).

  python3 parity.py CASES.json OUT.json

Each case names a config, the data shape and class count, a checkpoint written by the app (SNGCKPT1, tfjs
layouts) and inputs in the app's layouts (z [n, zdim], x NHWC, one-hot). This builds the PyTorch models,
loads the checkpoint through ckpt.py and returns, in the app's layouts: G's output with batch statistics and
with running statistics, sigma per D layer after one power iteration, the new u, and D's logits.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import torch  # noqa: E402

from sngan import ckpt  # noqa: E402
from sngan.config import model_spec  # noqa: E402
from sngan.models import build_models  # noqa: E402


def to_nchw(flat, shape):
    t = torch.tensor(flat, dtype=torch.float32).reshape(shape)
    return t.permute(0, 3, 1, 2) if t.dim() == 4 else t


def to_app(t):
    return (t.permute(0, 2, 3, 1) if t.dim() == 4 else t).reshape(-1).tolist()


def run(case):
    spec = model_spec(case["config"], case["shape"], case["classes"])
    G, D = build_models(spec)
    with open(case["checkpoint"], "rb") as f:
        _, tensors = ckpt.decode(f.read())
    ckpt.load_model(G, tensors)
    ckpt.load_model(D, tensors)
    n = case["n"]
    z = torch.tensor(case["z"], dtype=torch.float32).reshape(n, -1)
    x = to_nchw(case["x"], [n, *case["shape"]])
    oh = torch.tensor(case["onehot"], dtype=torch.float32).reshape(n, -1) if case.get("onehot") else None
    with torch.no_grad():
        G.set_bn_mode("batch")
        g_batch = G(z, oh)
        G.set_bn_mode("eval")
        g_eval = G(z, oh)
        D.power_iterate()
        sig = {k.app_name: k.sn.sigma(k.weight).item() for k in D.kernels() if k.sn is not None}
        u = {name[5:]: t.tolist() for name, t in ckpt.model_tensors(D) if name.startswith("sn_u:")}
        logits = D(x, oh)
    return {"gBatch": to_app(g_batch), "gEval": to_app(g_eval), "sigma": sig, "u": u, "d": logits.tolist()}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([run(c) for c in cases], f)


if __name__ == "__main__":
    main()
