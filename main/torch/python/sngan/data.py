"""Training data: the app's packed datasets (datasets/<id>/{manifest.json, images.u8, labels.u8}) or the 2D toys.

Batches are drawn for the GLOBAL batch from generators seeded by (seed, batch counter) on every rank, and each
rank keeps its slice: all ranks agree on the batch without talking, every rank sees different samples, the same
number of batches per step on every rank, and a run's numbers do not depend on how many ranks it ran on.
Images: a fresh permutation per epoch, the last partial batch dropped (DistributedSampler with drop_last).
"""
import json
import math
import os

import torch

TOYS = {}


def _toys():
    ring = [(2 * math.cos(2 * math.pi * k / 8), 2 * math.sin(2 * math.pi * k / 8)) for k in range(8)]
    xs = [-4, -2, 0, 2, 4]
    grid = [(x, y) for x in xs for y in xs]
    spiral = []
    for k in range(20):
        theta = 4 * math.pi * k / 19
        r = 0.5 + 0.35 * theta / math.pi
        spiral.append((r * math.cos(theta), r * math.sin(theta)))
    return {"ring8": (ring, 0.02), "grid25": (grid, 0.05), "spiral": (spiral, 0.03)}


TOYS.update(_toys())


def seeded(*parts):
    """A CPU generator seeded from integers (a splitmix-style mix, stable across runs and machines)."""
    h = 0x9E3779B97F4A7C15
    for p in parts:
        h = (h ^ (int(p) & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h ^= h >> 31
    return torch.Generator().manual_seed(h & 0x7FFFFFFFFFFFFFFF)


def folder_name(dataset):
    """The package's folder for a dataset id ('builtin:shapes' -> 'builtin-shapes')."""
    return dataset.replace(":", "-")


class Points:
    kind = "points"

    def __init__(self, name):
        if name not in TOYS:
            raise ValueError(f"unknown 2D toy '{name}' (ring8, grid25, spiral)")
        modes, std = TOYS[name]
        self.modes = torch.tensor(modes, dtype=torch.float32)
        self.std = std
        self.shape = [2]
        self.classes = []

    def batch(self, seed, counter, size, part=slice(None)):
        g = seeded(seed, 11, counter)
        m = torch.randint(len(self.modes), (size,), generator=g)
        return (self.modes[m] + self.std * torch.randn(size, 2, generator=g))[part], None


class Images:
    kind = "images"

    def __init__(self, folder):
        with open(os.path.join(folder, "manifest.json")) as f:
            m = json.load(f)
        self.manifest = m
        h, w, c, n = m["height"], m["width"], m["channels"], m["count"]
        with open(os.path.join(folder, m["files"]["images"]), "rb") as f:
            raw = f.read()
        if len(raw) != n * h * w * c:
            raise ValueError(f"{folder}: images.u8 has {len(raw)} bytes, expected {n * h * w * c}")
        self.pixels = torch.frombuffer(bytearray(raw), dtype=torch.uint8).reshape(n, h, w, c)
        self.labels = None
        if m["files"].get("labels"):
            with open(os.path.join(folder, m["files"]["labels"]), "rb") as f:
                self.labels = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).long()
            if self.labels.numel() != n:
                raise ValueError(f"{folder}: {self.labels.numel()} labels for {n} images")
        self.classes = m.get("classes", [])
        if self.labels is None or len(self.classes) <= 1:
            self.labels, self.classes = None, []
        self.shape = [h, w, c]
        self.count = n
        self._perm = (None, None)

    def _indices(self, seed, counter, size):
        if self.count < size:  # fewer images than a batch: draw with replacement
            return torch.randint(self.count, (size,), generator=seeded(seed, 12, counter))
        per_epoch = self.count // size
        epoch, pos = divmod(counter, per_epoch)
        if self._perm[0] != epoch:
            self._perm = (epoch, torch.randperm(self.count, generator=seeded(seed, 13, epoch)))
        return self._perm[1][pos * size:(pos + 1) * size]

    def batch(self, seed, counter, size, part=slice(None)):
        idx = self._indices(seed, counter, size)[part]
        x = self.pixels[idx].permute(0, 3, 1, 2).float() / 127.5 - 1  # NHWC uint8 -> NCHW in [-1, 1]
        return x, (self.labels[idx] if self.labels is not None else None)


def load(dataset, datasets_dir):
    if dataset.startswith("builtin:") and dataset[8:] in TOYS:
        return Points(dataset[8:])
    folder = os.path.join(datasets_dir, folder_name(dataset))
    if not os.path.exists(os.path.join(folder, "manifest.json")):
        raise FileNotFoundError(f"dataset '{dataset}' not found in {datasets_dir} (expected {folder}/manifest.json)")
    return Images(folder)
