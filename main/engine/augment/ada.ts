/**
 * ADA's adaptive augmentation probability (Karras et al. 2020, "Training Generative Adversarial Networks with
 * Limited Data", Sec. 3): r_t = E[sign(D(x_real))] over `interval` D updates; p moves by
 * sign(r_t − target) × (images in the window) / (speedKimg × 1000), clamped to [0, 1] — so p can go from 0 to 1
 * in `speedKimg` thousand images. r_t is tracked in every mode (it is also a gauge); p only adapts in 'ada'.
 * Its whole state is four numbers, checkpointed with the trainer.
 */
export interface AdaState {
  p: number;
  signSum: number;
  count: number;
  updates: number;
  /** r_t of the last complete window (null before the first). */
  rt: number | null;
}

export interface AdaOptions {
  target: number;
  interval: number;
  speedKimg: number;
  p0: number;
  adaptive: boolean;
}

export class AdaController {
  private s: AdaState;

  constructor(private readonly o: AdaOptions) {
    this.s = { p: o.adaptive ? o.p0 : 1, signSum: 0, count: 0, updates: 0, rt: null };
  }

  get p(): number {
    return this.s.p;
  }

  get rt(): number | null {
    return this.s.rt;
  }

  /** One D update: the sum of sign(D(x_real)) over its `n` real samples. */
  push(signSum: number, n: number): void {
    const s = this.s;
    s.signSum += signSum;
    s.count += n;
    s.updates += 1;
    if (s.updates % this.o.interval !== 0) return;
    s.rt = s.signSum / s.count;
    if (this.o.adaptive) {
      const step = (Math.sign(s.rt - this.o.target) * s.count) / (this.o.speedKimg * 1000);
      s.p = Math.min(1, Math.max(0, s.p + step));
    }
    s.signSum = 0;
    s.count = 0;
  }

  getState(): AdaState {
    return { ...this.s };
  }

  setState(st: AdaState): void {
    this.s = { ...st };
  }
}
