/** Microstructure descriptors and comparison metrics (DESIGN §6). Pure functions on typed arrays. */
export { volumeFractions } from './volume-fraction'
export {
  twoPointCorrelation,
  fieldTwoPointCorrelation,
  axisTwoPointCorrelation,
  radialTwoPointCorrelation,
  type AxisCurves,
  type CorrelationOptions,
  type TwoPointCorrelation,
} from './two-point'
export {
  linealPath,
  chordLengthDistribution,
  type ChordHistogram,
  type ChordLengthDistribution,
} from './chords'
export {
  specificSurfaceArea,
  triplePhaseBoundaryDensity,
  type SpecificSurfaceArea,
  type TriplePhaseBoundaryDensity,
} from './surface'
export { percolatingFraction, type PercolatingFraction } from './percolation'
export { eulerCharacteristic, type EulerCharacteristic, type EulerConnectivity } from './euler'
export {
  localThickness,
  squaredDistanceTransform,
  type LocalThickness,
  type LocalThicknessOptions,
  type ThicknessBoundary,
  type ThicknessHistogram,
} from './local-thickness'
export { micro3diffError, compareVolumes, type PhaseComparison, type VolumeComparison } from './compare'
export {
  slicedWassersteinDistance,
  type PatternImage,
  type SlicedWassersteinOptions,
} from './sliced-wasserstein'
export {
  describeVolume,
  type DescribeOptions,
  type LocalThicknessSummary,
  type PhaseDescription,
  type VolumeDescription,
} from './describe'
export { phaseIndicator } from './indicator'
export { gaussianBlur } from './gaussian-blur'
export {
  volumeFractionGradient,
  s2LossGradient,
  surfaceAreaGradient,
  type ValueAndGradient,
  type S2LossOptions,
  type SurfaceAreaGradientOptions,
} from './gradients'
