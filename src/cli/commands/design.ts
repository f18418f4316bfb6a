import type { Command } from 'commander'
import { UserError } from '../../core/errors'
import { readVolume, writeVolume } from '../../core/io'
import { resolveBundle } from '../../core/models/bundle'
import { designVolume, type DesignVolumeResult } from '../../core/design/design-volume'
import { parseTarget, parseWeights } from '../../core/design/targets'
import { collect, emit, parseIntOption } from '../output'

interface DesignOptions {
  model: string
  project?: string
  from?: string
  size?: number
  seed?: number
  target?: string[]
  weight?: string[]
  steps?: number
  batch?: number
  threads?: number
  out: string
  json?: boolean
  quiet?: boolean
}

/** The JSON printed by `design --json`. */
export function designReport(output: string, r: DesignVolumeResult) {
  return {
    output,
    shape: r.volume.shape,
    model: r.model,
    provider: r.provider,
    targets: r.outcomes,
    volumeFractions: { before: r.fractionsBefore, after: r.fractionsAfter },
    history: r.history,
    solves: r.solves,
    parameters: r.sds,
    timings: r.timings,
  }
}

export function registerDesign(program: Command): void {
  program
    .command('design')
    .description('inverse design by score distillation toward descriptor and property targets')
    .requiredOption('--model <id|path>', 'bundle id or folder')
    .option('--project <dir>', 'project whose bundles --model may name')
    .option('--from <file>', 'start from this volume')
    .option('--size <n>', 'start from a fresh reconstruction of this cubic size', parseIntOption('size', 1))
    .option('--seed <s>', 'random seed (default 0)', parseIntOption('seed', 0))
    .option(
      '--target <key=value>',
      'target, repeatable (vf:P=V, s2=training|FILE, ssa:P=V, diffusivity:P:AXIS=V)',
      collect,
    )
    .option('--weight <key=w>', 'weight of a target term (vf, s2, ssa, diffusivity; default 1)', collect)
    .option('--steps <n>', 'SDS steps (default 500)', parseIntOption('steps', 1))
    .option('--batch <n>', 'slices per step (default 8)', parseIntOption('batch', 1))
    .option('--threads <t>', 'ONNX Runtime intra-op threads (0 = one per core)', parseIntOption('threads', 0))
    .requiredOption('--out <file>', 'output volume file')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'machine-readable output')
    .action(async (opts: DesignOptions) => {
      if ((opts.from === undefined) === (opts.size === undefined))
        throw new UserError('give --from FILE or --size N (not both)')
      if (!opts.target?.length) throw new UserError('give at least one --target')
      const bundle = await resolveBundle(opts.model, { projectDir: opts.project })
      const names = bundle.manifest.phases.map((p) => p.name)
      const targets = opts.target.map((t) => parseTarget(t, names))
      const s2 = targets.find((t) => t.kind === 's2')
      const s2Reference =
        s2?.kind === 's2' && s2.source !== 'training' ? await readVolume(s2.source.file) : undefined
      const seed = opts.seed ?? 0
      const controller = new AbortController()
      const onSigint = () => controller.abort()
      process.once('SIGINT', onSigint)
      try {
        const result = await designVolume(
          bundle,
          {
            start: opts.from
              ? { volume: await readVolume(opts.from) }
              : { shape: [opts.size!, opts.size!, opts.size!], seed },
            targets,
            weights: parseWeights(opts.weight ?? []),
            s2Reference,
            sds: { steps: opts.steps, batch: opts.batch, seed },
            threads: opts.threads,
          },
          {
            signal: controller.signal,
            onProgress: (p) => {
              if (opts.quiet || !process.stderr.isTTY) return
              const eta = p.etaSeconds === null ? '' : `, ${p.etaSeconds.toFixed(0)} s left`
              process.stderr.write(`\r${p.stage} ${p.step}/${p.steps}${eta}   `)
              if (p.fraction >= 1) process.stderr.write('\n')
            },
          },
        )
        await writeVolume(opts.out, result.volume)
        emit(opts.json, designReport(opts.out, result), () =>
          [
            `wrote ${opts.out}: ${result.volume.shape.join('x')} designed with ${result.model.id} on ${result.provider}`,
            ...result.outcomes.map(
              (o) =>
                `${o.key}: ${o.before.toPrecision(4)} -> ${o.after.toPrecision(4)} (target ${o.target}) ` +
                (o.reached ? 'reached' : `NOT reached: ${o.note}`),
            ),
            `time ${result.timings.total.toFixed(1)} s (start ${result.timings.start.toFixed(1)}, ` +
              `SDS ${result.timings.sds.toFixed(1)}, measure ${result.timings.measure.toFixed(1)})`,
          ].join('\n'),
        )
      } finally {
        process.off('SIGINT', onSigint)
      }
    })
}
