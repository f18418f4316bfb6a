import type { Command } from 'commander'
import { readVolume } from '../../core/io'
import { notYetAvailable } from './not-yet'

export function registerCompare(program: Command): void {
  program
    .command('compare <file> <ref>')
    .description('error % of S2 and lineal path and volume-fraction differences between a volume and a reference')
    .option('--json', 'machine-readable output')
    .action(async (file: string, ref: string) => {
      await readVolume(file)
      await readVolume(ref)
      notYetAvailable('compare', 'the descriptor engine (analysis-core issue)')
    })
}
