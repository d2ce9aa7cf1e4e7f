/**
 * The 2D toy datasets of the mode-collapse literature, with the metrics that go with them.
 *
 * - ring8:  8 Gaussians evenly on a circle of radius 2, σ = 0.02 (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018).
 * - grid25: 25 Gaussians on the 5×5 grid {-4,-2,0,2,4}², σ = 0.05 (VEEGAN; PacGAN).
 * - spiral: 20 Gaussians evenly spaced by angle along a two-turn Archimedean spiral r = 0.5 + 0.35·θ/π
 *           (radius 0.5 → 1.9), σ = 0.03. A mixture, so "modes covered" is as well defined as for the others.
 *
 * Mode coverage follows VEEGAN/PacGAN: a sample is *high quality* if it lies within 3σ of its nearest mode;
 * two coverage counts, both named:
 *  - `modesCovered` (the app's rule): at least `minPerMode` (default 20, PacGAN's threshold for 2,500 samples)
 *    high-quality samples land on the mode;
 *  - `modesCoveredAny` (VEEGAN/PacGAN's stated definition): at least one high-quality sample is nearest to it.
 * The ≥ 20 rule is stricter: a mode reached by a few stray samples counts for `modesCoveredAny` only. `klToUniform` is KL(p ‖ uniform) where p is the share of high-quality
 * samples per mode (0·log 0 = 0): 0 when every mode gets the same share, log K when all land on one mode,
 * and log K as well when there is no high-quality sample at all.
 */

export type Mode = [number, number];

export interface Toy2D {
  id: 'ring8' | 'grid25' | 'spiral';
  name: string;
  modes: Mode[];
  std: number;
}

function ring8(): Mode[] {
  return Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)] as Mode);
}

function grid25(): Mode[] {
  const xs = [-4, -2, 0, 2, 4];
  return xs.flatMap((x) => xs.map((y) => [x, y] as Mode));
}

function spiral(): Mode[] {
  const n = 20;
  return Array.from({ length: n }, (_, k) => {
    const theta = (4 * Math.PI * k) / (n - 1);
    const r = 0.5 + (0.35 * theta) / Math.PI;
    return [r * Math.cos(theta), r * Math.sin(theta)] as Mode;
  });
}

export const TOYS_2D: Record<Toy2D['id'], Toy2D> = {
  ring8: { id: 'ring8', name: '8 Gaussians on a ring', modes: ring8(), std: 0.02 },
  grid25: { id: 'grid25', name: '25 Gaussians on a grid', modes: grid25(), std: 0.05 },
  spiral: { id: 'spiral', name: 'Spiral of 20 Gaussians', modes: spiral(), std: 0.03 },
};

/** Standard normal from a uniform rng (Box–Muller). */
function gaussian(rng: () => number): number {
  let u = 0;
  while (u <= Number.EPSILON) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** n points, mode chosen uniformly, isotropic Gaussian noise; deterministic given rng. */
export function sampleMixture(modes: Mode[], std: number, n: number, rng: () => number): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const m = modes[Math.min(modes.length - 1, Math.floor(rng() * modes.length))]!;
    out[2 * i] = m[0] + std * gaussian(rng);
    out[2 * i + 1] = m[1] + std * gaussian(rng);
  }
  return out;
}

export const DEFAULT_MIN_PER_MODE = 20;

export function modeCoverage(
  points: Float32Array,
  modes: Mode[],
  std: number,
  minPerMode = DEFAULT_MIN_PER_MODE,
): { modesCovered: number; modesCoveredAny: number; highQualityFraction: number; klToUniform: number; perMode: number[] } {
  const n = Math.floor(points.length / 2);
  const perMode = new Array<number>(modes.length).fill(0);
  const limit2 = (3 * std) ** 2;
  let hq = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < modes.length; k++) {
      const dx = x - modes[k]![0];
      const dy = y - modes[k]![1];
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    if (best >= 0 && bestD <= limit2) {
      perMode[best]!++;
      hq++;
    }
  }
  const K = modes.length;
  let kl = Math.log(K);
  if (hq > 0) {
    kl = 0;
    for (const c of perMode) if (c > 0) kl += (c / hq) * Math.log((c / hq) * K);
  }
  return {
    modesCovered: perMode.filter((c) => c >= minPerMode).length,
    modesCoveredAny: perMode.filter((c) => c >= 1).length,
    highQualityFraction: n > 0 ? hq / n : 0,
    klToUniform: Math.max(0, kl),
    perMode,
  };
}
