import type { Command } from 'commander'
import { notYetAvailable } from './not-yet'

export function registerSynth(program: Command): void {
  program
    .command('synth <kind>')
    .description('write a seeded synthetic microstructure volume')
    .requiredOption('--out <file>', 'output volume file')
    .option('--json', 'machine-readable output')
    .action(() => notYetAvailable('synth', 'the synthetic generators (analysis-core issue)'))
}
