/**
 * Progress reporting and cancellation for long reconstructions. Work is counted in units that are
 * roughly proportional to time (one unit = one batch of planes through one network); the ETA assumes the
 * remaining units take as long, on average, as the ones done so far.
 */
import { CancelledError } from '../errors'

export type ReconstructionStage = 'load' | 'sample' | 'decode' | 'refine' | 'quantise'

export interface ReconstructionProgress {
  stage: ReconstructionStage
  /** Step within the stage (1-based) and the stage's step count. */
  step: number
  steps: number
  /** Fraction of the whole run done, 0 … 1. */
  fraction: number
  /** Seconds left, estimated from the pace so far; null until something was measured. */
  etaSeconds: number | null
}

export interface RunControl {
  onProgress?: (p: ReconstructionProgress) => void
  signal?: AbortSignal
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError()
}

/** Tracks the units of work of a run and turns them into progress events. */
export class ProgressTracker {
  private done = 0
  private readonly started = performance.now()

  constructor(
    private readonly totalUnits: number,
    private readonly control: RunControl = {},
  ) {}

  /** Record `units` of work finished at `step`/`steps` of `stage`, emit progress, and honour cancellation. */
  advance(stage: ReconstructionStage, step: number, steps: number, units: number): void {
    this.done += units
    this.emit(stage, step, steps)
    throwIfCancelled(this.control.signal)
  }

  private emit(stage: ReconstructionStage, step: number, steps: number): void {
    if (!this.control.onProgress) return
    const fraction = Math.min(1, this.done / this.totalUnits)
    const elapsed = (performance.now() - this.started) / 1000
    const etaSeconds = this.done > 0 ? (elapsed * (this.totalUnits - this.done)) / this.done : null
    this.control.onProgress({
      stage,
      step,
      steps,
      fraction,
      etaSeconds: etaSeconds === null ? null : Math.max(0, etaSeconds),
    })
  }

  check(): void {
    throwIfCancelled(this.control.signal)
  }
}
