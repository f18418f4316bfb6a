import type { Command } from 'commander'
import { readVolume, writeVolume } from '../../core/io'
import { parseThresholds } from '../../core/io/labels'
import { UserError } from '../../core/errors'
import { emit, parseIntOption, parseTriple } from '../output'

interface ConvertOptions {
  out: string
  spacing?: [number, number, number]
  unit?: string
  phase?: number
  omitPhase?: number[]
  periodic?: boolean
  threshold?: string
  shape?: [number, number, number]
  format?: string
  surface?: string
  refine?: number
  json?: boolean
}

function collectPhases(value: string, previous: number[] = []): number[] {
  return [...previous, ...value.split(',').map((v) => parseIntOption('omit-phase', 0, 255)(v.trim()))]
}

/** Progress on stderr, only for a person watching a terminal. */
function terminalProgress(label: string): ((f: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined
  return (f) => process.stderr.write(`\r${label} ${Math.round(100 * f)}%${f >= 1 ? '\n' : ''}`)
}

export function registerConvert(program: Command): void {
  program
    .command('convert <file>')
    .description('convert a volume or image from one supported format to another (by extension)')
    .requiredOption('--out <file>', 'output file (.npy .raw .mhd .tif .png .vti .inp .stl)')
    .option('--spacing <dz,dy,dx>', 'voxel spacing, overrides the input file', parseTriple('spacing', false))
    .option('--unit <unit>', 'length unit of the spacing (e.g. um)')
    .option('--phase <P>', 'phase whose surface an .stl holds', parseIntOption('phase', 0, 255))
    .option(
      '--omit-phase <P>',
      'leave phase P out of an .inp mesh (pores); repeat or comma-separate',
      collectPhases,
    )
    .option('--periodic', '.inp: add periodic node-pair sets and *EQUATION constraints')
    .option('--threshold <t1,t2,...>', 'segment grey values: label = number of thresholds reached')
    .option('--shape <nz,ny,nx>', 'dimensions of a .raw input without sidecar', parseTriple('shape', true))
    .option('--format <name>', "output flavour: 'damask' writes a DAMASK grid .vti (cell data 'material')")
    .option('--surface <kind>', ".stl surface: 'marching-cubes' (default) or 'voxel-faces'")
    .option(
      '--refine <f>',
      '.stl marching cubes: refine the voxel grid f times per axis (1..8, default 2)',
      parseIntOption('refine', 1, 8),
    )
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: ConvertOptions) => {
      if (opts.format !== undefined && opts.format !== 'damask' && opts.format !== 'paraview') {
        throw new UserError(`--format must be damask or paraview, got '${opts.format}'`)
      }
      if (opts.surface !== undefined && opts.surface !== 'marching-cubes' && opts.surface !== 'voxel-faces') {
        throw new UserError(`--surface must be marching-cubes or voxel-faces, got '${opts.surface}'`)
      }
      const vol = await readVolume(file, {
        thresholds: opts.threshold !== undefined ? parseThresholds(opts.threshold) : undefined,
        shape: opts.shape,
        spacing: opts.spacing,
        unit: opts.unit,
        onProgress: terminalProgress(`reading ${file}`),
      })
      const result = await writeVolume(opts.out, vol, {
        phase: opts.phase,
        omitPhases: opts.omitPhase,
        periodic: opts.periodic,
        vtiFlavor: opts.format === 'damask' ? 'damask' : 'paraview',
        surface: opts.surface as 'marching-cubes' | 'voxel-faces' | undefined,
        refine: opts.refine,
        onProgress: terminalProgress(`writing ${opts.out}`),
      })
      emit(
        opts.json,
        {
          input: file,
          output: opts.out,
          files: result.files,
          shape: vol.shape,
          spacing: vol.spacing,
          unit: vol.unit,
          ...result.details,
        },
        () =>
          `wrote ${result.files.join(', ')} (${vol.shape.join('x')} voxels, spacing ${vol.spacing.join(',')} ${vol.unit})`,
      )
    })
}
