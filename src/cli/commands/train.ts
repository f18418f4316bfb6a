import type { Command } from 'commander'
import { notYetAvailable } from './not-yet'

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model bundle on a dataset folder with the Python trainer')
    .requiredOption('--dataset <dir>', 'folder of 2D label images and/or 3D label volumes')
    .requiredOption('--out <dir>', 'bundle folder to write')
    .option('--json', 'progress as JSON lines')
    .action(() => notYetAvailable('train', 'the trainer (trainer issue)'))
}
