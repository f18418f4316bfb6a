import type { Command } from 'commander'
import { compareVolumes, type VolumeComparison } from '../../core/analysis'
import { readVolume } from '../../core/io'
import { emit } from '../output'

function pct(v: number | undefined): string {
  return v === undefined ? '-' : `${v.toFixed(2)}%`
}

export function renderComparison(c: VolumeComparison): string {
  const lines = [
    `volume ${c.shape.join('x')} against reference ${c.referenceShape.join('x')}; errors = 100 Σ|f − f_ref| / Σ f_ref`,
    `${'phase'.padEnd(7)}${'vf'.padEnd(9)}${'vf ref'.padEnd(9)}${'Δvf'.padEnd(10)}` +
      c.axes.map((a) => `S2 ${a}`.padEnd(9)).join('') +
      `${'S2 mean'.padEnd(9)}` +
      c.axes.map((a) => `L ${a}`.padEnd(9)).join('') +
      'L mean',
  ]
  for (const p of c.phases) {
    lines.push(
      `${String(p.id).padEnd(7)}${p.volumeFraction.toFixed(4).padEnd(9)}${p.referenceVolumeFraction.toFixed(4).padEnd(9)}` +
        `${(p.volumeFractionDifference >= 0 ? '+' : '') + p.volumeFractionDifference.toFixed(4)}`.padEnd(10) +
        c.axes.map((a) => pct(p.s2ErrorPercent[a]).padEnd(9)).join('') +
        pct(p.s2ErrorPercent.mean).padEnd(9) +
        c.axes.map((a) => pct(p.linealPathErrorPercent[a]).padEnd(9)).join('') +
        pct(p.linealPathErrorPercent.mean),
    )
  }
  return lines.join('\n')
}

export function registerCompare(program: Command): void {
  program
    .command('compare <file> <ref>')
    .description(
      'error % of S2 and lineal path and volume-fraction differences between a volume and a reference',
    )
    .option('--json', 'machine-readable output')
    .action(async (file: string, ref: string, opts: { json?: boolean }) => {
      const [a, b] = [await readVolume(file), await readVolume(ref)]
      const comparison = compareVolumes(a, b)
      emit(opts.json, comparison, () => renderComparison(comparison))
    })
}
