export { SpectralNorm, type SpectralNormOptions, type SpectralNormState } from './spectral-norm';
export { matricise, matrixShape, outputAxis, type SNKind } from './matricise';
