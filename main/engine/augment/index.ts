/** Differentiable augmentation for small datasets: DiffAugment ops, host-drawn parameters, ADA's adaptive p. */
export { diffAugment } from './diffaugment';
export { drawAugParams, shiftOf, cutoutOf, type AugParams } from './params';
export { augTensors, augTensorsOf, disposeAugTensors, type AugArrays, type AugTensors, type HostTensor } from './tensors';
export { AdaController, type AdaState, type AdaOptions } from './ada';
export { Augmenter } from './augmenter';
