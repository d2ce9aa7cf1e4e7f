"""Every generator and discriminator the app has (main/engine/models/), in PyTorch, NCHW.

G(z, onehot=None) -> [n, C, H, W] in [-1, 1] (or [n, d] points); D(x, onehot=None) -> logits [n].
Names, widths, defaults and layer order follow mlp.ts, cnn.ts and resnet.ts exactly, so a checkpoint of either
engine loads into the other (ckpt.py) and the parity tests compare outputs number for number.
Stabilisers inside D (config d.norm): sn / sn+gp (spectral norm on every D kernel), bn (batch norm, batch
statistics only), ln (layer norm), gp / clip / none (plain layers; the penalty and clipping live in the step).
"""
import torch

from .layers import BatchNorm, Conv, Deconv, Dense, Layer, LayerNorm, avg_pool2, hwc_to_chw_perm, lrelu, upsample2


class Opts:
    def __init__(self, sn=False, sn_iters=1, generator=None):
        self.sn = sn
        self.sn_iters = sn_iters
        self.generator = generator


def d_norm(prefix, name, ch, kind):
    if kind == "bn":
        return BatchNorm(f"{prefix}/{name}", ch, 0, track=False)
    if kind == "ln":
        return LayerNorm(f"{prefix}/{name}", ch)
    return torch.nn.Identity()


class Net(torch.nn.Module):
    def kernels(self):
        """Weight layers in the app's order (construction order), e.g. for per-layer diagnostics."""
        return [m for m in self.modules() if isinstance(m, Layer)]

    def power_iterate(self, n=None):
        for k in self.kernels():
            k.power_iterate(n)

    def set_bn_mode(self, mode):
        for m in self.modules():
            if isinstance(m, BatchNorm):
                m.mode = mode

    def set_bn_sync(self, group):
        for m in self.modules():
            if isinstance(m, BatchNorm):
                m.sync_group = group


class Projection(torch.nn.Module):
    """D(x, y) = psi(phi(x)) + y^T V phi(x) (Miyato & Koyama 2018)."""

    def __init__(self, width, classes, opts, perm=None, out_bias=True):
        super().__init__()
        # The app's engine/models/projection.ts: V (the embedding) has no bias, like the reference's SNEmbedID;
        # psi's bias is the architecture's choice (none in the ResNet D, sngan_projection's nobias=True).
        self.out = Dense("D/out", width, 1, opts, bias=out_bias)
        self.embed = Dense("D/embed", classes, width, opts, bias=False) if classes > 0 else None
        self.out.in_perm = perm
        if self.embed is not None:
            self.embed.out_perm = perm

    def forward(self, f, onehot=None):
        o = self.out(f).reshape(-1)
        if self.embed is not None and onehot is not None:
            o = o + (self.embed(onehot) * f).sum(1)
        return o


# ---- MLP (2D points) ----

class MlpG(Net):
    def __init__(self, zdim, out_dim, h, classes, opts):
        super().__init__()
        self.fc1 = Dense("G/fc1", zdim, h, opts)
        self.fc2 = Dense("G/fc2", h, h, opts)
        self.fc3 = Dense("G/fc3", h, h, opts)
        self.out = Dense("G/out", h, out_dim, opts)
        self.cbn1 = BatchNorm("G/cbn1", h, classes) if classes > 0 else None

    def forward(self, z, onehot=None):
        x = self.fc1(z)
        if self.cbn1 is not None:
            x = self.cbn1(x, onehot)
        x = torch.relu(x)
        x = torch.relu(self.fc2(x))
        x = torch.relu(self.fc3(x))
        return self.out(x)


class MlpD(Net):
    def __init__(self, in_dim, h, classes, norm, opts):
        super().__init__()
        self.fc1 = Dense("D/fc1", in_dim, h, opts)
        self.norm1 = d_norm("D", "norm1", h, norm)
        self.fc2 = Dense("D/fc2", h, h, opts)
        self.norm2 = d_norm("D", "norm2", h, norm)
        self.fc3 = Dense("D/fc3", h, h, opts)
        self.norm3 = d_norm("D", "norm3", h, norm)
        self.head = Projection(h, classes, opts)

    def forward(self, x, onehot=None):
        f = lrelu(self.norm1(self.fc1(x)))
        f = lrelu(self.norm2(self.fc2(f)))
        f = lrelu(self.norm3(self.fc3(f)))
        return self.head(f, onehot)


# ---- the SN-GAN paper's standard CNN: 28 (7->14->28), 32 (4->...->32), 64 (4->...->64) ----

def cnn_geometry(size):
    if size == 28:
        return 7, 2
    if size == 32:
        return 4, 3
    if size == 64:
        return 4, 4
    raise ValueError(f"standard CNN supports 28, 32 or 64 pixels, not {size}")


class CnnG(Net):
    def __init__(self, zdim, size, channels, ch, classes, opts):
        super().__init__()
        r0, levels = cnn_geometry(size)
        self.r0 = r0
        self.top = ch * 2 ** levels
        self.fc = Dense("G/fc", zdim, r0 * r0 * self.top, opts)
        self.fc.out_perm = hwc_to_chw_perm(self.top, r0, r0)
        self.bn0 = BatchNorm("G/bn0", self.top, classes)
        self.ups = torch.nn.ModuleList()
        self.bns = torch.nn.ModuleList()
        c = self.top
        for i in range(levels):
            self.ups.append(Deconv(f"G/deconv{i + 1}", c, c // 2, opts))
            self.bns.append(BatchNorm(f"G/bn{i + 1}", c // 2, classes))
            c //= 2
        self.out = Conv("G/out", c, channels, 3, 1, opts)

    def forward(self, z, onehot=None):
        x = self.fc(z).reshape(z.shape[0], self.top, self.r0, self.r0)
        x = torch.relu(self.bn0(x, onehot))
        for up, bn in zip(self.ups, self.bns):
            x = torch.relu(bn(up(x), onehot))
        return torch.tanh(self.out(x))


class CnnD(Net):
    def __init__(self, size, channels, ch, classes, norm, opts):
        super().__init__()
        _, levels = cnn_geometry(size)
        self.convs = torch.nn.ModuleList()
        self.norms = torch.nn.ModuleList()
        c, res = channels, size
        for i in range(levels):
            o = ch * 2 ** i
            self.convs.append(Conv(f"D/conv{2 * i + 1}", c, o, 3, 1, opts))
            self.norms.append(d_norm("D", f"norm{2 * i + 1}", o, norm))
            self.convs.append(Conv(f"D/conv{2 * i + 2}", o, o, 4, 2, opts))
            self.norms.append(d_norm("D", f"norm{2 * i + 2}", o, norm))
            c, res = o, -(-res // 2)
        last = ch * 2 ** levels
        self.convs.append(Conv(f"D/conv{2 * levels + 1}", c, last, 3, 1, opts))
        self.norms.append(d_norm("D", f"norm{2 * levels + 1}", last, norm))
        self.head = Projection(res * res * last, classes, opts, hwc_to_chw_perm(last, res, res))

    def forward(self, x, onehot=None):
        h = x
        for conv, norm in zip(self.convs, self.norms):
            h = lrelu(norm(conv(h)))
        return self.head(h.flatten(1), onehot)


# ---- the SN-GAN paper's ResNet for 32x32 ----

class ResBlockG(torch.nn.Module):
    def __init__(self, i, ch, classes, opts):
        super().__init__()
        self.bn1 = BatchNorm(f"G/block{i}/bn1", ch, classes)
        self.conv1 = Conv(f"G/block{i}/conv1", ch, ch, 3, 1, opts)
        self.bn2 = BatchNorm(f"G/block{i}/bn2", ch, classes)
        self.conv2 = Conv(f"G/block{i}/conv2", ch, ch, 3, 1, opts)
        self.shortcut = Conv(f"G/block{i}/shortcut", ch, ch, 1, 1, opts)

    def forward(self, x, onehot=None):
        h = self.conv1(upsample2(torch.relu(self.bn1(x, onehot))))
        h = self.conv2(torch.relu(self.bn2(h, onehot)))
        return h + self.shortcut(upsample2(x))


class ResnetG(Net):
    def __init__(self, zdim, size, channels, ch, classes, opts):
        super().__init__()
        if size != 32:
            raise ValueError("resnet32 needs 32x32 data")
        self.ch = ch
        self.fc = Dense("G/fc", zdim, 16 * ch, opts)
        self.fc.out_perm = hwc_to_chw_perm(ch, 4, 4)
        self.blocks = torch.nn.ModuleList([ResBlockG(i, ch, classes, opts) for i in (1, 2, 3)])
        self.bn_out = BatchNorm("G/bn_out", ch, 0)
        self.out = Conv("G/out", ch, channels, 3, 1, opts)

    def forward(self, z, onehot=None):
        x = self.fc(z).reshape(z.shape[0], self.ch, 4, 4)
        for b in self.blocks:
            x = b(x, onehot)
        return torch.tanh(self.out(torch.relu(self.bn_out(x))))


class ResBlockD(torch.nn.Module):
    def __init__(self, name, c_in, ch, down, first, norm, opts):
        super().__init__()
        self.conv1 = Conv(f"D/{name}/conv1", c_in, ch, 3, 1, opts)
        self.norm1 = d_norm("D", f"{name}/norm1", ch, norm)
        self.conv2 = Conv(f"D/{name}/conv2", ch, ch, 3, 1, opts)
        self.norm2 = d_norm("D", f"{name}/norm2", ch, norm)
        self.shortcut = Conv(f"D/{name}/shortcut", c_in, ch, 1, 1, opts) if (c_in != ch or down) else None
        self.down, self.first = down, first

    def forward(self, x):
        h = x if self.first else torch.relu(x)
        h = self.conv2(torch.relu(self.norm1(self.conv1(h))))
        h = self.norm2(h)
        if self.down:
            h = avg_pool2(h)
        s = x
        if self.shortcut is not None:
            if self.first:
                s = self.shortcut(avg_pool2(x))
            elif self.down:
                s = avg_pool2(self.shortcut(x))
            else:
                s = self.shortcut(x)
        return h + s


class ResnetD(Net):
    def __init__(self, size, channels, ch, classes, norm, opts):
        super().__init__()
        if size != 32:
            raise ValueError("resnet32 needs 32x32 data")
        self.blocks = torch.nn.ModuleList([
            ResBlockD("block1", channels, ch, True, True, norm, opts),
            ResBlockD("block2", ch, ch, True, False, norm, opts),
            ResBlockD("block3", ch, ch, False, False, norm, opts),
            ResBlockD("block4", ch, ch, False, False, norm, opts),
        ])
        self.head = Projection(ch, classes, opts, out_bias=False)

    def forward(self, x, onehot=None):
        h = x
        for b in self.blocks:
            h = b(h)
        return self.head(torch.relu(h).sum((2, 3)), onehot)


# ---- building a pair from a resolved config ----

def build_models(spec, generator=None):
    """spec: dict with arch, zdim, data_shape ([d] or [h, w, c]), classes, d_norm, d_ch, g_ch, sn_iters."""
    arch, zdim, shape, k = spec["arch"], spec["zdim"], spec["data_shape"], spec["classes"]
    use_sn = spec["d_norm"] in ("sn", "sn+gp")
    g_opts = Opts(False, 1, generator)
    d_opts = Opts(use_sn, spec["sn_iters"], generator)
    if arch == "mlp":
        if len(shape) != 1:
            raise ValueError(f"architecture mlp does not fit data of shape {shape}")
        return (MlpG(zdim, shape[0], spec["g_ch"] or 128, k, g_opts),
                MlpD(shape[0], spec["d_ch"] or 128, k, spec["d_norm"], d_opts))
    if len(shape) != 3 or shape[0] != shape[1]:
        raise ValueError(f"architecture {arch} needs square images, not data of shape {shape}")
    size, channels = shape[0], shape[2]
    if arch in ("dcgan28", "cnn32", "cnn64"):
        want = {"dcgan28": 28, "cnn32": 32, "cnn64": 64}[arch]
        if size != want:
            raise ValueError(f"{arch} needs {want}x{want} data")
        default = 32 if size == 28 else 64
        return (CnnG(zdim, size, channels, spec["g_ch"] or default, k, g_opts),
                CnnD(size, channels, spec["d_ch"] or default, k, spec["d_norm"], d_opts))
    if arch == "resnet32":
        return (ResnetG(zdim, size, channels, spec["g_ch"] or 256, k, g_opts),
                ResnetD(size, channels, spec["d_ch"] or 128, k, spec["d_norm"], d_opts))
    raise ValueError(f"unknown architecture {arch}")
