import type { Command } from 'commander'
import { readVolume } from '../../core/io'
import { computeTransport, type TransportResult } from '../../core/physics'
import type { Axis } from '../../core/volume/volume'
import { emit, parseAxisOption, parseFloatOption, parseIntOption } from '../output'

interface PropertyCliOptions {
  phase: number
  axis: Axis
  periodic?: boolean
  tol?: number
  maxIter?: number
  json?: boolean
}

function describeResult(file: string, r: TransportResult): string {
  const lines = [
    `${file}: phase ${r.phase} along ${r.axis}`,
    `  volume fraction        ${r.volumeFraction.toFixed(5)} (connected end to end: ${r.connectedFraction.toFixed(5)})`,
    `  relative diffusivity   ${r.relativeDiffusivity.toPrecision(6)}`,
    `  tortuosity factor      ${r.tortuosityFactor === null ? 'none (the phase does not percolate)' : r.tortuosityFactor.toPrecision(6)}`,
    `  solver                 ${r.iterations} iterations, relative residual ${r.residual.toExponential(2)}, ${(r.timeMs / 1000).toFixed(2)} s`,
  ]
  return lines.join('\n')
}

export function registerProperty(program: Command): void {
  program
    .command('property <file>')
    .description(
      'relative diffusivity and tortuosity factor of a phase along an axis (TauFactor definitions)',
    )
    .requiredOption('--phase <p>', 'phase label', parseIntOption('phase', 0, 255))
    .requiredOption('--axis <axis>', 'z, y or x', parseAxisOption)
    .option('--periodic', 'periodic sides parallel to the axis instead of no-flux sides')
    .option('--tol <r>', 'relative residual to reach (default 1e-6)', parseFloatOption('tol', 1e-12, 1e-1))
    .option('--max-iter <n>', 'iteration cap (default 500)', parseIntOption('max-iter', 1))
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: PropertyCliOptions) => {
      const vol = await readVolume(file)
      const r = computeTransport(vol, {
        phase: opts.phase,
        axis: opts.axis,
        periodic: opts.periodic ?? false,
        tol: opts.tol,
        maxIter: opts.maxIter,
      })
      const result = {
        phase: r.phase,
        axis: r.axis,
        volumeFraction: r.volumeFraction,
        connectedFraction: r.connectedFraction,
        relativeDiffusivity: r.relativeDiffusivity,
        tortuosityFactor: r.tortuosityFactor,
        percolating: r.percolating,
        iterations: r.iterations,
        residual: r.residual,
        timeMs: r.timeMs,
      }
      emit(opts.json, result, () => describeResult(file, r))
    })
}
