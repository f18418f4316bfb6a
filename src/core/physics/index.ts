/** Transport physics: effective diffusivity, tortuosity factor, effective conductivity, sensitivities. */
export { solveConduction, type ConductionOptions, type ConductionSolution } from './conduction'
export type { SolveProgress } from './pcg'
export {
  computeTransport,
  conductivityField,
  effectiveConductivity,
  type ConductivityResult,
  type TransportOptions,
  type TransportResult,
} from './transport'
export {
  conductionSensitivity,
  transportSensitivity,
  type SensitivityResult,
  type TransportSensitivityOptions,
} from './sensitivity'
