"""SNGCKPT1 checkpoints (main/runs/FORMAT.md): the app's tensor names and tfjs layouts, read and written here.

  "SNGCKPT1" | uint32 LE header length | JSON header (space-padded to 4 bytes) | float32 LE payloads

Layouts (PyTorch <-> the app's tfjs kernels):
  Linear          [out, in]          <-> dense            [in, out]
  Conv2d          [out, in, kh, kw]  <-> conv2d           [kh, kw, in, out]
  ConvTranspose2d [in, out, kh, kw]  <-> conv2dTranspose  [kh, kw, out, in]
  SN v of a conv  (in, kh, kw)       <-> (kh, kw, in)
  features of a flattened or reshaped map: PyTorch (c, h, w) <-> the app's (h, w, c) — the G stem's output
  columns and bias, D's head input rows (and the projection embedding's output columns), their u and v.
"""
import json
import struct

import torch

from .layers import BatchNorm, Layer, LayerNorm

MAGIC = b"SNGCKPT1"


def _inverse(perm):
    inv = torch.empty_like(perm)
    inv[perm] = torch.arange(perm.numel())
    return inv


class Conv:
    """How one PyTorch tensor maps to its app tensor: to_app(t) -> flat app order; from_app(flat, like) -> t."""

    def __init__(self, to_app, from_app):
        self.to_app = to_app
        self.from_app = from_app


PLAIN = Conv(lambda t: t.reshape(-1), lambda a, like: a.reshape(like.shape))


def _vec(perm):
    if perm is None:
        return PLAIN
    inv = _inverse(perm)
    return Conv(lambda t: t.reshape(-1)[inv], lambda a, like: a[perm].reshape(like.shape))


def _dense(in_perm, out_perm):
    def to_app(w):  # [out, in] -> app [in, out]
        if out_perm is not None:
            w = w[_inverse(out_perm)]
        if in_perm is not None:
            w = w[:, _inverse(in_perm)]
        return w.t().reshape(-1)

    def from_app(a, like):
        w = a.reshape(like.shape[1], like.shape[0]).t()  # app [in, out] -> [out, in], app order
        if out_perm is not None:
            w = w[out_perm]
        if in_perm is not None:
            w = w[:, in_perm]
        return w.contiguous()

    return Conv(to_app, from_app)


CONV_W = Conv(lambda t: t.permute(2, 3, 1, 0).reshape(-1),
              lambda a, like: a.reshape(like.shape[2], like.shape[3], like.shape[1], like.shape[0]).permute(3, 2, 0, 1).contiguous())


def _conv_v(c_in, k):
    return Conv(lambda v: v.reshape(c_in, k, k).permute(1, 2, 0).reshape(-1),
                lambda a, like: a.reshape(k, k, c_in).permute(2, 0, 1).reshape(-1).contiguous())


def layer_entries(net):
    """(app name, tensor, Conv, group) for every tensor of a network; group: 'param', 'stat', 'sn_u', 'sn_v'."""
    out = []
    for m in net.modules():
        if isinstance(m, Layer):
            n = m.app_name
            if m.kind == "dense":
                out.append((f"{n}/kernel", m.weight, _dense(m.in_perm, m.out_perm), "param"))
            else:
                out.append((f"{n}/kernel", m.weight, CONV_W, "param"))
            if m.bias is not None:
                out.append((f"{n}/bias", m.bias, _vec(m.out_perm), "param"))
            if m.sn is not None:
                if m.kind == "dense":
                    out.append((n, m.sn.u, _vec(m.out_perm), "sn_u"))
                    out.append((n, m.sn.v, _vec(m.in_perm), "sn_v"))
                else:
                    c_in = m.weight.shape[1] if m.kind == "conv2d" else m.weight.shape[0]
                    out.append((n, m.sn.u, PLAIN, "sn_u"))
                    out.append((n, m.sn.v, _conv_v(c_in, m.weight.shape[2]), "sn_v"))
        elif isinstance(m, (BatchNorm, LayerNorm)):
            out.append((f"{m.app_name}/gamma", m.gamma, PLAIN, "param"))
            out.append((f"{m.app_name}/beta", m.beta, PLAIN, "param"))
            if isinstance(m, BatchNorm) and m.track:
                out.append((f"{m.app_name}/moving_mean", m.moving_mean, PLAIN, "stat"))
                out.append((f"{m.app_name}/moving_variance", m.moving_variance, PLAIN, "stat"))
    return out


def param_names(net):
    """{id(parameter): (app name, Conv)} for optimiser and EMA state."""
    return {id(t): (name, conv) for name, t, conv, group in layer_entries(net) if group == "param"}


# ---- bytes ----

def _f32_bytes(t):
    t = t.detach().to("cpu", torch.float32).contiguous().reshape(-1)
    buf = bytearray(t.numel() * 4)
    if t.numel():
        torch.frombuffer(buf, dtype=torch.float32).copy_(t)  # native order; the app's hosts are little-endian
    return buf


def encode(tensors, header):
    """tensors: list of (name, flat tensor in app order); header: the scalar fields (step, rng, adamG, ...)."""
    entries, payloads, offset = [], [], 0
    for name, t in tensors:
        b = _f32_bytes(t)
        entries.append({"name": name, "offset": offset, "length": len(b) // 4})
        payloads.append(b)
        offset += len(b)
    h = json.dumps({**header, "version": 1, "tensors": entries}, separators=(",", ":")).encode()
    h += b" " * ((4 - (12 + len(h)) % 4) % 4)
    return b"".join([MAGIC, struct.pack("<I", len(h)), h, *payloads])


def decode(data):
    """-> (header, {name: flat float32 tensor})."""
    if len(data) < 12 or data[:8] != MAGIC:
        raise ValueError("not a SNGAN Studio checkpoint")
    (hlen,) = struct.unpack("<I", data[8:12])
    if 12 + hlen > len(data):
        raise ValueError("truncated checkpoint header")
    header = json.loads(data[12:12 + hlen].decode())
    if header.get("version") != 1:
        raise ValueError(f"unsupported checkpoint version {header.get('version')}")
    start = 12 + hlen
    out = {}
    for e in header["tensors"]:
        a, b = start + e["offset"], start + e["offset"] + 4 * e["length"]
        if b > len(data):
            raise ValueError(f"truncated checkpoint ({e['name']})")
        out[e["name"]] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32) if e["length"] else torch.zeros(0)
    return header, out


# ---- model <-> tensors ----

PREFIX = {"param": "var:", "stat": "var:", "sn_u": "sn_u:", "sn_v": "sn_v:"}


def model_tensors(*nets):
    """The app tensors of networks' weights, statistics and SN vectors: [(name, flat tensor)]."""
    return [(PREFIX[g] + name, conv.to_app(t.detach())) for net in nets for name, t, conv, g in layer_entries(net)]


def load_model(net, tensors, strict=True, what="checkpoint"):
    """Copy app tensors into a network. Missing weights fail (strict); missing statistics keep their init."""
    with torch.no_grad():
        for name, t, conv, g in layer_entries(net):
            key = PREFIX[g] + name
            a = tensors.get(key)
            if a is None:
                if strict and g != "stat":
                    raise ValueError(f"{what} lacks {key} (different architecture?)")
                continue
            if a.numel() != t.numel():
                raise ValueError(f"{what} {key} has {a.numel()} values, the model needs {t.numel()}")
            t.copy_(conv.from_app(a, t))
