import type { Command } from 'commander'
import { readVolume } from '../../core/io'
import { notYetAvailable } from './not-yet'

export function registerProperty(program: Command): void {
  program
    .command('property <file>')
    .description('relative diffusivity and tortuosity factor of a phase along an axis')
    .requiredOption('--phase <p>', 'phase label')
    .requiredOption('--axis <axis>', 'z, y or x')
    .option('--json', 'machine-readable output')
    .action(async (file: string) => {
      await readVolume(file)
      notYetAvailable('property', 'the transport solver (analysis-core issue)')
    })
}
