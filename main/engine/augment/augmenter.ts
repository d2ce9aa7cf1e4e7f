/**
 * What the trainer holds: the run's augmentation mode and ops, the ADA controller, and one call to draw a batch's
 * parameters from the trainer's Rng. Off, it draws nothing, so a run without augmentation consumes its RNG as before.
 */
import type * as tf from '@tensorflow/tfjs';
import type { AugMode, AugOp, TrainConfig } from '../../../shared/config';
import type { Rng } from '../trainer/rng';
import { AdaController } from './ada';
import { diffAugment } from './diffaugment';
import { drawAugParams } from './params';
import { augArrays, augTensors, type AugArrays, type AugTensors } from './tensors';

export class Augmenter {
  readonly ada: AdaController;

  constructor(
    readonly mode: AugMode,
    readonly ops: AugOp[],
    aug: TrainConfig['aug'],
    private readonly h: number,
    private readonly w: number,
  ) {
    this.ada = new AdaController({ target: aug.target, interval: aug.interval, speedKimg: aug.speedKimg, p0: aug.p0, adaptive: mode === 'ada' });
  }

  get active(): boolean {
    return this.mode !== 'off' && this.ops.length > 0;
  }

  /** Probability each op is applied to a sample: 1 with DiffAugment, adaptive with ADA, 0 off. */
  get p(): number {
    return !this.active ? 0 : this.mode === 'ada' ? this.ada.p : 1;
  }

  /** Parameters for `n` samples (null when off). Call once per batch: real and fake get separate draws. */
  draw(rng: Rng, n: number): AugTensors | null {
    if (!this.active) return null;
    return augTensors(drawAugParams(rng, n, this.h, this.w, this.ops, this.p));
  }

  /** draw()'s parameters as host arrays (the trainer's step feeds); the same draws from `rng`. */
  drawArrays(rng: Rng, n: number): AugArrays | null {
    if (!this.active) return null;
    return augArrays(drawAugParams(rng, n, this.h, this.w, this.ops, this.p));
  }

  apply(x: tf.Tensor, t: AugTensors | null): tf.Tensor {
    return t ? diffAugment(x, t) : x;
  }
}
