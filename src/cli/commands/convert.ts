import type { Command } from 'commander'
import { readVolume, writeVolume } from '../../core/io'
import { emit } from '../output'

export function registerConvert(program: Command): void {
  program
    .command('convert <file>')
    .description('convert a volume or image from one supported format to another (by extension)')
    .requiredOption('--out <file>', 'output file')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { out: string; json?: boolean }) => {
      const vol = await readVolume(file)
      await writeVolume(opts.out, vol)
      emit(opts.json, { input: file, output: opts.out, shape: vol.shape }, () => `wrote ${opts.out} (${vol.shape.join('x')})`)
    })
}
