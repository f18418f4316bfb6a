import type { Command } from 'commander'
import { notYetAvailable } from './not-yet'

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the model bundles found (shipped and project)')
    .option('--project <dir>', 'also list the bundles of this project')
    .option('--json', 'machine-readable output')
    .action(() => notYetAvailable('models', 'model bundle discovery (reconstruction-engine issue)'))
}
