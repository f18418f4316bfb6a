import type { Command } from 'commander'
import { notYetAvailable } from './not-yet'

export function registerReconstruct(program: Command): void {
  program
    .command('reconstruct')
    .description('reconstruct a 3D volume from a model bundle by latent multi-plane diffusion')
    .requiredOption('--model <id|path>', 'bundle id or folder')
    .option('--size <n>', 'cubic size N')
    .option('--shape <z,y,x>', 'non-cubic shape')
    .option('--seed <s>', 'random seed')
    .option('--sampler <kind>', 'ddpm or ddim')
    .option('--steps <k>', 'number of sampling steps')
    .option('--harmonize <n>', 'harmonizing steps per step')
    .option('--refine <k>', 'refinement rounds')
    .requiredOption('--out <file>', 'output volume file')
    .option('--json', 'machine-readable output')
    .action(() => notYetAvailable('reconstruct', 'the reconstruction engine (reconstruction-engine issue)'))
}
