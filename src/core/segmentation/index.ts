/**
 * Segmentation of grey images into phase labels: histograms, Otsu and multi-level Otsu thresholds, label
 * maps, the live-preview data, and cutting images into patches. Everything but grey.ts (file reading) is
 * pure and runs in the renderer as well.
 */
export * from './histogram'
export { betweenClassVariance, multiOtsu, multiOtsuExhaustive, otsu } from './otsu'
export * from './labelmap'
export * from './crop'
export * from './preview'
export { readGreyImage } from './grey'
