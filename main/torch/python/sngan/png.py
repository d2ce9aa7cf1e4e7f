"""PNG snapshots with zlib only (no PIL): image grids as main/imaging/png.ts draws them, and 2D scatters."""
import math
import struct
import zlib

import torch


def encode_rgb(pixels):
    """pixels: uint8 tensor [H, W, 3] -> PNG bytes (8-bit RGB, filter 0 on every row)."""
    h, w, _ = pixels.shape
    raw = torch.cat([torch.zeros(h, 1, dtype=torch.uint8), pixels.reshape(h, w * 3)], 1).contiguous()
    data = _to_bytes(raw)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(data, 6)) + chunk(b"IEND", b""))


def _to_bytes(t):
    buf = bytearray(t.numel())
    torch.frombuffer(buf, dtype=torch.uint8).copy_(t.reshape(-1))
    return bytes(buf)


def image_grid(images, cols=None):
    """images: [n, C, H, W] in [-1, 1] -> a cols x rows grid with 2 px gaps (grey 40); small images upscaled 2x."""
    n, c, h, w = images.shape
    k = cols or math.ceil(math.sqrt(n))
    rows = math.ceil(n / k)
    gap = 2
    W, H = k * w + (k + 1) * gap, rows * h + (rows + 1) * gap
    canvas = torch.full((H, W, 3), 40, dtype=torch.uint8)
    px = ((images.detach().float().cpu() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
    if c == 1:
        px = px.expand(n, 3, h, w)
    px = px.permute(0, 2, 3, 1)
    for i in range(n):
        ox, oy = gap + (i % k) * (w + gap), gap + (i // k) * (h + gap)
        canvas[oy:oy + h, ox:ox + w] = px[i]
    if h < 48:
        canvas = canvas.repeat_interleave(2, 0).repeat_interleave(2, 1)
    return encode_rgb(canvas)


def scatter(points, modes, real=None, size=320):
    """2D points (orange) over real points (green) and mode rings (grey), in [-L, L]^2 from the modes."""
    lim = max([abs(v) for m in modes for v in m] or [0]) * 1.4 or 3.0
    canvas = torch.full((size, size, 3), 255, dtype=torch.uint8)

    def to_px(xy):
        x = ((xy[:, 0] + lim) / (2 * lim) * (size - 1)).round().long()
        y = ((lim - xy[:, 1]) / (2 * lim) * (size - 1)).round().long()
        return x, y

    def put(x, y, rgb):
        ok = (x >= 0) & (y >= 0) & (x < size) & (y < size)
        canvas[y[ok], x[ok]] = torch.tensor(rgb, dtype=torch.uint8)

    zero = to_px(torch.zeros(1, 2))
    canvas[:, zero[0].item()] = 215
    canvas[zero[1].item(), :] = 215
    a = torch.arange(64) * math.pi / 32
    for mx, my in modes:
        cx, cy = to_px(torch.tensor([[mx, my]]))
        put((cx + 7 * torch.cos(a)).round().long(), (cy + 7 * torch.sin(a)).round().long(), (150, 150, 150))
    for pts, rgb in ((real, (30, 120, 70)), (points, (230, 110, 20))):
        if pts is None:
            continue
        x, y = to_px(pts.detach().float().cpu())
        for dx, dy in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
            put(x + dx, y + dy, rgb)
    return encode_rgb(canvas)
