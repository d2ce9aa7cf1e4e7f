/**
 * Parity with DiffAugment_pytorch.py (fixtures/make_fixtures.py: the reference ops in PyTorch 1.13, float64).
 * The fixture's raw random draws are replayed through the app's own drawAugParams, so the test covers the mapping
 * from draws to parameters (which axis a shift moves, where a cutout square lands) as well as the image maths and
 * the gradient. Fixtures are NCHW; conversion to NHWC happens here.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import type { Rng } from '../trainer/rng';
import { diffAugment } from './diffaugment';
import { drawAugParams, shiftOf } from './params';
import { augTensors, disposeAugTensors } from './tensors';
import type { AugOp } from '../../../shared/config';
import fixturesJson from './fixtures/torch_diffaugment.json';

interface Case {
  ops: AugOp[];
  shape: [number, number, number, number];
  x: number[];
  draws: Record<string, Record<string, number[]>>;
  y: number[];
  r: number[];
  gradX: number[];
}
const fixtures = fixturesJson as unknown as { torch: string; cases: Case[] };

/** An Rng that hands out the fixture's draws in the order drawAugParams asks for them. */
function replay(c: Case): { rng: Rng; left: () => number } {
  const [n, , h, w] = c.shape;
  const floats: number[] = [];
  const ints: number[] = [];
  for (let b = 0; b < n; b++) {
    for (const op of c.ops) {
      floats.push(0); // the "apply this op" flag: 0 < p = 1
      const d = c.draws[op];
      if (op === 'color') floats.push(d.brightness_u[b], d.saturation_u[b], d.contrast_u[b]);
      // ours draws the column shift first (translation_y in the reference, which moves dim 3), as an index from 0
      else if (op === 'translation') ints.push(d.translation_y[b] + shiftOf(w), d.translation_x[b] + shiftOf(h));
      else ints.push(d.offset_x[b], d.offset_y[b]);
    }
  }
  const rng = {
    next: () => {
      expect(floats.length).toBeGreaterThan(0);
      return floats.shift()!;
    },
    int: (bound: number) => {
      const v = ints.shift()!;
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(bound); // the fixture's range and ours agree
      return v;
    },
  } as unknown as Rng;
  return { rng, left: () => floats.length + ints.length };
}

const nhwc = (data: number[], shape: number[]) => tf.transpose(tf.tensor4d(data, shape as [number, number, number, number]), [0, 2, 3, 1]);

function maxRelErr(got: ArrayLike<number>, want: tf.Tensor): number {
  const w = want.dataSync();
  expect(got.length).toBe(w.length);
  let num = 0, den = 0;
  for (let i = 0; i < w.length; i++) {
    num = Math.max(num, Math.abs(got[i] - w[i]));
    den = Math.max(den, Math.abs(w[i]));
  }
  return num / den;
}

beforeAll(async () => {
  await initBackend();
});

describe(`DiffAugment parity with the reference in PyTorch (torch ${fixtures.torch})`, () => {
  it('fixtures cover each op alone and the policy, on 3 and 1 channels, and odd sizes', () => {
    const names = fixtures.cases.map((c) => `${c.ops.join('+')}/${c.shape[1]}`);
    for (const c of [3, 1]) for (const op of ['color', 'translation', 'cutout', 'color+translation+cutout']) expect(names).toContain(`${op}/${c}`);
    expect(fixtures.cases.some((c) => c.shape[2] % 2 === 1 && c.shape[3] % 2 === 1)).toBe(true);
  });

  for (const c of fixtures.cases) {
    const [n, ch, h, w] = c.shape;
    it(`${c.ops.join(', ')} on ${n}×${ch}×${h}×${w}: output and gradient`, () => {
      const { rng, left } = replay(c);
      const params = drawAugParams(rng, n, h, w, c.ops, 1);
      expect(left()).toBe(0); // every draw used, none invented
      const t = augTensors(params);
      const [y, g] = tf.tidy(() => {
        const x = nhwc(c.x, c.shape);
        const r = nhwc(c.r, c.shape);
        const f = (v: tf.Tensor) => tf.sum(tf.mul(diffAugment(v, t), r)) as tf.Scalar;
        return [diffAugment(x, t).dataSync(), tf.grad(f)(x).dataSync()];
      });
      disposeAugTensors(t);
      const wantY = tf.tidy(() => nhwc(c.y, c.shape));
      const wantG = tf.tidy(() => nhwc(c.gradX, c.shape));
      expect(maxRelErr(y, wantY)).toBeLessThan(1e-5);
      expect(maxRelErr(g, wantG)).toBeLessThan(1e-5);
      tf.dispose([wantY, wantG]);
    });
  }
});
