import path from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../core/errors'
import { volumeFractions } from '../../core/analysis'
import { WRITE_EXTENSIONS, writeVolume } from '../../core/io'
import { SYNTH_KINDS, synthesize, type FibreOrientation, type SynthKind } from '../../core/synth'
import { emit, parseFloatOption, parseIntOption, parseTriple } from '../output'

interface SynthCliOptions {
  out: string
  size?: number
  shape?: [number, number, number]
  vf?: number[]
  radius?: number
  radiusSpread?: number
  correlationLength?: number[]
  orientation?: string
  spread?: number
  fibreLength?: number
  grains?: number
  seed?: number
  json?: boolean
}

function parseFractions(value: string): number[] {
  const parts = value.split(',').map(Number)
  if (!parts.length || parts.length > 2 || !parts.every((p) => Number.isFinite(p) && p > 0 && p < 1)) {
    throw new UserError(
      `--vf must be one fraction in (0, 1), or two (phases 1,2) for a -3phase kind, got '${value}'`,
    )
  }
  return parts
}

function parseLengths(value: string): number[] {
  const parts = value.split(',').map(Number)
  if (![1, 3].includes(parts.length) || !parts.every((p) => Number.isFinite(p) && p > 0)) {
    throw new UserError(`--correlation-length must be one positive number or three (z,y,x), got '${value}'`)
  }
  return parts
}

export function registerSynth(program: Command): void {
  program
    .command('synth <kind>')
    .description(`write a seeded synthetic microstructure volume; kinds: ${SYNTH_KINDS.join(', ')}`)
    .requiredOption('--out <file>', `output volume file (${WRITE_EXTENSIONS.join(' ')})`)
    .option('--size <n>', 'cube side in voxels', parseIntOption('size', 1, 1024))
    .option('--shape <z,y,x>', 'volume shape (z = 1 for a 2D image)', parseTriple('shape', true))
    .option('--vf <f>', 'target fraction of phase 1 (two comma-separated for -3phase kinds)', parseFractions)
    .option('--radius <r>', 'sphere or fibre radius in voxels', parseFloatOption('radius', 0.5, 512))
    .option(
      '--radius-spread <cv>',
      'coefficient of variation of polydisperse radii',
      parseFloatOption('radius-spread', 0, 5),
    )
    .option('--correlation-length <l>', 'Gaussian field filter width in voxels, one or z,y,x', parseLengths)
    .option('--orientation <o>', 'fibre orientation: z, y, x, random or xy')
    .option(
      '--spread <rad>',
      'fibre tilt standard deviation in radians',
      parseFloatOption('spread', 0, Math.PI),
    )
    .option('--fibre-length <l>', 'fibre length in voxels', parseFloatOption('fibre-length', 1, 1e6))
    .option('--grains <n>', 'number of Voronoi grains', parseIntOption('grains', 2))
    .option('--seed <s>', 'random seed', parseIntOption('seed', 0, 2 ** 32 - 1))
    .option('--json', 'machine-readable output')
    .action(async (kind: string, opts: SynthCliOptions) => {
      if (!(SYNTH_KINDS as readonly string[]).includes(kind)) {
        throw new UserError(`unknown kind '${kind}'; kinds: ${SYNTH_KINDS.join(', ')}`)
      }
      if (opts.size === undefined && opts.shape === undefined)
        throw new UserError('give --size N or --shape Z,Y,X')
      if (opts.size !== undefined && opts.shape !== undefined)
        throw new UserError('give either --size or --shape, not both')
      const ext = path.extname(opts.out).toLowerCase()
      if (!(WRITE_EXTENSIONS as readonly string[]).includes(ext)) {
        throw new UserError(
          `--out: cannot write '${ext || '(no extension)'}' files (writable: ${WRITE_EXTENSIONS.join(' ')})`,
        )
      }
      const lengths = opts.correlationLength
      const started = performance.now()
      const vol = synthesize(kind as SynthKind, {
        size: opts.size,
        shape: opts.shape,
        vf: opts.vf && opts.vf.length === 1 ? opts.vf[0] : opts.vf,
        seed: opts.seed,
        radius: opts.radius,
        radiusSpread: opts.radiusSpread,
        correlationLength: lengths
          ? lengths.length === 1
            ? lengths[0]
            : (lengths as [number, number, number])
          : undefined,
        orientation: opts.orientation as FibreOrientation | undefined,
        spread: opts.spread,
        fibreLength: opts.fibreLength,
        grains: opts.grains,
      })
      const seconds = (performance.now() - started) / 1000
      await writeVolume(opts.out, vol)
      const result = {
        kind,
        file: opts.out,
        shape: vol.shape,
        seed: opts.seed ?? 0,
        volumeFractions: volumeFractions(vol),
        seconds,
      }
      emit(opts.json, result, () =>
        [
          `wrote ${opts.out}: ${kind} ${vol.shape.join('x')} (z,y,x), seed ${result.seed}, ${seconds.toFixed(2)} s`,
          `volume fractions: ${result.volumeFractions.map((f, i) => `phase ${i} ${f.toFixed(4)}`).join(', ')}`,
        ].join('\n'),
      )
    })
}
