import type { Command } from 'commander'
import { collect } from '../output'
import { notYetAvailable } from './not-yet'

export function registerDesign(program: Command): void {
  program
    .command('design')
    .description('inverse design by score distillation toward descriptor and property targets')
    .requiredOption('--model <id|path>', 'bundle id or folder')
    .option('--from <file>', 'start from this volume')
    .option('--size <n>', 'start from a fresh reconstruction of this size')
    .option('--seed <s>', 'random seed')
    .option(
      '--target <key=value>',
      'target, repeatable (vf:P=V, s2=training|FILE, ssa:P=V, diffusivity:P:AXIS=V)',
      collect,
    )
    .option('--weight <key=w>', 'weight of a target term, repeatable', collect)
    .option('--steps <n>', 'SDS steps')
    .requiredOption('--out <file>', 'output volume file')
    .option('--json', 'machine-readable output')
    .action(() => notYetAvailable('design', 'inverse design (inverse-design issue)'))
}
