import type { Command } from 'commander'
import { describeVolume, type PhaseDescription, type VolumeDescription } from '../../core/analysis'
import { readVolume } from '../../core/io'
import { emit, parseIntOption } from '../output'

const SHOWN_LAGS = [0, 1, 2, 4, 8, 16, 32]

function fmt(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toPrecision(digits)
}

function thicknessLine(p: PhaseDescription): string {
  const lt = p.localThickness
  if (!lt) return '  local thickness  - (phase absent, or it fills the volume)'
  const length =
    lt.meanLength === null
      ? ''
      : ` (mean ${fmt(lt.meanLength)} ${lt.unit}, median ${fmt(lt.medianLength)} ${lt.unit})`
  return `  local thickness (voxels)  mean ${fmt(lt.mean)}  median ${fmt(lt.median)}  max ${fmt(lt.max)}${length}`
}

function phaseTable(p: PhaseDescription, axes: Array<'z' | 'y' | 'x'>, unit: string): string {
  const lines = [
    `phase ${p.id}${p.name ? ` (${p.name})` : ''}: volume fraction ${fmt(p.volumeFraction)}`,
    `  specific surface area  face count ${fmt(p.specificSurfaceArea.faceCount)}  smoothed ${fmt(p.specificSurfaceArea.smoothed)} ${p.specificSurfaceArea.unit}`,
    `  Euler characteristic ${p.eulerCharacteristic.chi} (${p.eulerCharacteristic.connectivity}-connected), per voxel ${fmt(p.eulerCharacteristic.perVoxel, 3)}`,
    thicknessLine(p),
    `  ${'axis'.padEnd(6)}${'percolating'.padEnd(13)}${`mean chord (${unit})`.padEnd(20)}` +
      SHOWN_LAGS.map((r) => `S2(${r})`.padEnd(9)).join('') +
      SHOWN_LAGS.map((r) => `L(${r})`.padEnd(9)).join(''),
  ]
  for (const axis of axes) {
    const s2 = SHOWN_LAGS.map((r) => fmt(p.s2[axis][r], 3).padEnd(9)).join('')
    const lp = SHOWN_LAGS.map((r) => fmt(p.linealPath[axis][r], 3).padEnd(9)).join('')
    lines.push(
      `  ${axis.padEnd(6)}${fmt(p.percolatingFraction[axis]).padEnd(13)}${fmt(p.chordLength[axis].meanLength).padEnd(20)}${s2}${lp}`,
    )
  }
  return lines.join('\n')
}

export function renderDescription(d: VolumeDescription): string {
  const axes = (['z', 'y', 'x'] as const).filter((_, a) => d.shape[a] > 1)
  const head = `shape ${d.shape.join('x')} (z,y,x), spacing ${d.spacing.join(',')} ${d.unit}, S2 ${d.periodic ? 'periodic' : 'non-periodic'}`
  const tpb = d.triplePhaseBoundaryDensity
    ? `\ntriple-phase boundary density ${fmt(d.triplePhaseBoundaryDensity.density)} ${d.triplePhaseBoundaryDensity.unit}`
    : ''
  return [head, ...d.phases.map((p) => phaseTable(p, axes, d.unit))].join('\n') + tpb
}

export function registerDescribe(program: Command): void {
  program
    .command('describe <file>')
    .description(
      'descriptors of an image or volume: volume fraction, S2, lineal path, chords, surface area, Euler characteristic, local thickness',
    )
    .option('--phase <p>', 'only this phase', parseIntOption('phase', 0, 255))
    .option('--periodic', 'periodic S2 instead of the non-periodic (zero-padded) estimator')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { phase?: number; periodic?: boolean; json?: boolean }) => {
      const vol = await readVolume(file)
      const description = describeVolume(vol, { phase: opts.phase, periodic: opts.periodic })
      emit(opts.json, description, () => renderDescription(description))
    })
}
