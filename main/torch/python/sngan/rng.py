"""The app's seeded RNG (main/engine/trainer/rng.ts: xoshiro128** + Box-Muller), for the run's fixed latents.

Sample grids of a PyTorch run are drawn on the very latents the app would use for the same seed, so the two
engines' snapshots of a run are comparable cell by cell. Training randomness uses torch generators (trainer.py).
"""
import math

M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & M32


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def _splitmix32(seed):
    s = seed & M32

    def nxt():
        nonlocal s
        s = (s + 0x9E3779B9) & M32
        z = s
        z = _imul(z ^ (z >> 16), 0x85EBCA6B)
        z = _imul(z ^ (z >> 13), 0xC2B2AE35)
        return (z ^ (z >> 16)) & M32

    return nxt


class Rng:
    def __init__(self, seed=0):
        sm = _splitmix32(seed)
        self.s = [sm() for _ in range(4)]
        if not any(self.s):
            self.s[0] = 1

    @staticmethod
    def derive(seed, stream):
        # Math.imul keeps the low 32 bits of the product, whatever the signs: plain masked products match it
        a = _imul((seed ^ 0x5BD1E995) & M32, 0x27D4EB2D)
        b = _imul((stream + 1) & M32, 0x165667B1)
        return Rng((a ^ b) & M32)

    def next_u32(self):
        s = self.s
        result = _imul(_rotl(_imul(s[1], 5), 7), 9)
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return result

    def next(self):
        return self.next_u32() / 4294967296.0

    def normal(self, n):
        out = [0.0] * n
        for i in range(0, n, 2):
            u1 = 1 - self.next()
            u2 = self.next()
            r = math.sqrt(-2 * math.log(u1))
            out[i] = r * math.cos(2 * math.pi * u2)
            if i + 1 < n:
                out[i + 1] = r * math.sin(2 * math.pi * u2)
        return out

    def state(self):
        return list(self.s)
