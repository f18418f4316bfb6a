import type { Command } from 'commander'
import { UserError } from '../../core/errors'
import { runTrainer, type TrainerEvent } from '../../core/models/python'
import { parseIntOption } from '../output'

interface TrainCliOptions {
  dataset: string
  out: string
  steps?: number
  size?: number
  device?: string
  work?: string
  preset?: string
  json?: boolean
}

/** One human-readable line per trainer event. */
function humanLine(event: TrainerEvent): string | undefined {
  if (event.type === 'progress') {
    const pct = ((100 * event.step) / event.total).toFixed(1)
    return `${event.stage} ${event.step}/${event.total} (${pct} %) loss ${event.loss.toFixed(4)}`
  }
  if (event.type === 'log') return event.message
  if (event.type === 'done') return `bundle written to ${event.bundle}`
  return undefined
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model bundle on a dataset folder with the Python trainer (needs Python + PyTorch)')
    .requiredOption(
      '--dataset <dir>',
      'folder of 2D label images (.png) and/or 3D label volumes (.npy, .raw)',
    )
    .requiredOption('--out <dir>', 'bundle folder to write')
    .option('--steps <n>', 'total training steps (VAE + denoiser)', parseIntOption('steps', 2))
    .option('--size <s>', 'patch size S, a multiple of 16 (default 64)', parseIntOption('size', 16, 1024))
    .option('--device <device>', 'cpu or cuda (default: cuda when available)')
    .option('--work <dir>', 'run folder for checkpoints; training resumes from it (default <out>.work)')
    .option('--preset <name>', 'default, or tiny for a seconds-long smoke test')
    .option('--json', 'progress as JSON lines')
    .action(async (opts: TrainCliOptions) => {
      if (opts.device && opts.device !== 'cpu' && opts.device !== 'cuda')
        throw new UserError(`--device must be cpu or cuda, got '${opts.device}'`)
      if (opts.preset && opts.preset !== 'default' && opts.preset !== 'tiny')
        throw new UserError(`--preset must be default or tiny, got '${opts.preset}'`)
      if (opts.size !== undefined && opts.size % 16 !== 0)
        throw new UserError(`--size must be a multiple of 16, got ${opts.size}`)
      const abort = new AbortController()
      const onSigint = () => abort.abort()
      process.once('SIGINT', onSigint)
      try {
        await runTrainer(
          {
            dataset: opts.dataset,
            out: opts.out,
            steps: opts.steps,
            size: opts.size,
            device: opts.device as 'cpu' | 'cuda' | undefined,
            work: opts.work,
            preset: opts.preset as 'default' | 'tiny' | undefined,
          },
          (event) => {
            if (opts.json) {
              if (event.type !== 'error') process.stdout.write(JSON.stringify(event) + '\n')
              return
            }
            const line = humanLine(event)
            if (line) process.stdout.write(line + '\n')
          },
          abort.signal,
        )
      } finally {
        process.removeListener('SIGINT', onSigint)
      }
    })
}
