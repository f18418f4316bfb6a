import type { Command } from 'commander'
import { readVolume } from '../../core/io'
import { notYetAvailable } from './not-yet'

export function registerDescribe(program: Command): void {
  program
    .command('describe <file>')
    .description('descriptors of an image or volume: volume fraction, S2, lineal path, chords, surface area')
    .option('--phase <p>', 'only this phase')
    .option('--json', 'machine-readable output')
    .action(async (file: string) => {
      await readVolume(file)
      notYetAvailable('describe', 'the descriptor engine (analysis-core issue)')
    })
}
