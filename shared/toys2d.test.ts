import { describe, expect, it } from 'vitest';
import { TOYS_2D, modeCoverage, sampleMixture } from './toys2d';

function mulberry(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('2D toy datasets', () => {
  it('defines ring8 and grid25 as in VEEGAN/PacGAN', () => {
    expect(TOYS_2D.ring8.modes).toHaveLength(8);
    expect(TOYS_2D.ring8.std).toBe(0.02);
    for (const [x, y] of TOYS_2D.ring8.modes) expect(Math.hypot(x, y)).toBeCloseTo(2, 10);
    expect(TOYS_2D.grid25.modes).toHaveLength(25);
    expect(TOYS_2D.grid25.std).toBe(0.05);
    expect(new Set(TOYS_2D.grid25.modes.map((m) => m.join(',')))).toContain('-4,4');
    // spiral modes are well separated (> 6σ) so coverage is meaningful
    const s = TOYS_2D.spiral;
    for (let i = 0; i < s.modes.length; i++)
      for (let j = i + 1; j < s.modes.length; j++)
        expect(Math.hypot(s.modes[i]![0] - s.modes[j]![0], s.modes[i]![1] - s.modes[j]![1])).toBeGreaterThan(6 * s.std);
  });

  it('samples deterministically given the rng', () => {
    const a = sampleMixture(TOYS_2D.ring8.modes, 0.02, 100, mulberry(1));
    const b = sampleMixture(TOYS_2D.ring8.modes, 0.02, 100, mulberry(1));
    expect(a).toEqual(b);
    expect(a).toHaveLength(200);
  });

  it.each(Object.values(TOYS_2D))('true samples of $id cover every mode', (toy) => {
    const pts = sampleMixture(toy.modes, toy.std, 2500 * (toy.modes.length > 8 ? 2 : 1), mulberry(7));
    const cov = modeCoverage(pts, toy.modes, toy.std);
    expect(cov.modesCovered).toBe(toy.modes.length);
    expect(cov.highQualityFraction).toBeGreaterThan(0.98); // 3σ in 2D holds 98.9%
    expect(cov.klToUniform).toBeLessThan(0.02);
  });

  it('detects mode collapse', () => {
    const toy = TOYS_2D.grid25;
    const collapsed = sampleMixture(toy.modes.slice(0, 3), toy.std, 2500, mulberry(3));
    const cov = modeCoverage(collapsed, toy.modes, toy.std);
    expect(cov.modesCovered).toBe(3);
    expect(cov.klToUniform).toBeCloseTo(Math.log(25 / 3), 1);
    const one = sampleMixture([toy.modes[0]!], toy.std, 500, mulberry(3));
    expect(modeCoverage(one, toy.modes, toy.std).klToUniform).toBeCloseTo(Math.log(25), 1);
  });

  it('reports both coverage definitions: ≥ 20 per mode (the app) and ≥ 1 (VEEGAN/PacGAN)', () => {
    const toy = TOYS_2D.grid25;
    // 3 modes well covered, 2 more reached by 5 high-quality samples each, the rest by none
    const main = sampleMixture(toy.modes.slice(0, 3), toy.std, 600, mulberry(4));
    const stray = sampleMixture(toy.modes.slice(3, 5), 0.001, 10, mulberry(5));
    const pts = new Float32Array([...main, ...stray]);
    const cov = modeCoverage(pts, toy.modes, toy.std);
    expect(cov.modesCovered).toBe(3);
    expect(cov.modesCoveredAny).toBe(5);
  });

  it('counts off-mode samples as low quality and needs 20 per mode', () => {
    const toy = TOYS_2D.ring8;
    const far = new Float32Array(200).fill(10);
    const cov = modeCoverage(far, toy.modes, toy.std);
    expect(cov).toMatchObject({ modesCovered: 0, highQualityFraction: 0 });
    expect(cov.klToUniform).toBeCloseTo(Math.log(8), 6);
    const few = sampleMixture(toy.modes, 0.0001, 80, mulberry(2)); // ~10 per mode < 20
    expect(modeCoverage(few, toy.modes, toy.std).modesCovered).toBeLessThan(8);
    expect(modeCoverage(few, toy.modes, toy.std, 1).modesCovered).toBe(8);
  });
});
