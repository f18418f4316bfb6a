import type { Command } from 'commander'
import type { AxisMode } from '../../core/diffusion/multi-plane-sampler'
import type { FractionTarget, Quantiser } from '../../core/diffusion/pipeline'
import { UserError } from '../../core/errors'
import { writeVolume } from '../../core/io'
import { resolveBundle } from '../../core/models/bundle'
import { PROVIDER_CHOICES, type ProviderChoice } from '../../core/models/providers'
import { reconstructVolume, type ReconstructVolumeResult } from '../../core/models/reconstruct'
import type { Shape3 } from '../../core/volume/volume'
import { emit, parseFloatOption, parseIntOption, parseTriple, stderrProgress } from '../output'
import type { ReconstructionProgress } from '../../core/diffusion/progress'

interface ReconstructOptions {
  model: string
  project?: string
  size?: number
  shape?: Shape3
  seed?: number
  sampler?: 'ddpm' | 'ddim'
  steps?: number
  eta?: number
  harmonize?: number
  gamma?: number
  refine?: number
  guidance?: number
  classLabel?: number
  statsGuidance?: number
  s2Weight?: number
  guidanceEvery?: number
  guidanceMaxStep?: number
  guidanceFraction?: 'soft' | 'hard'
  axisMode?: AxisMode
  quantise?: Quantiser
  fractions?: FractionTarget
  threads?: number
  provider?: ProviderChoice
  out: string
  json?: boolean
  quiet?: boolean
}

function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value))
      throw new UserError(`--${name} must be one of ${values.join(', ')}, got '${value}'`)
    return value as T
  }
}

/** `--fractions`: 'sampled', 'training' or comma-separated numbers (checked against the bundle later). */
function parseFractions(value: string): FractionTarget {
  if (value === 'sampled' || value === 'training') return value
  const numbers = value.split(',').map((v) => Number(v.trim()))
  if (numbers.length < 2 || numbers.some((v) => !Number.isFinite(v))) {
    throw new UserError(`--fractions must be sampled, training or numbers like 0.2,0.8, got '${value}'`)
  }
  return numbers
}

/** The JSON printed by `reconstruct --json`: what was written, how, and how long each stage took. */
export function reconstructReport(output: string, r: ReconstructVolumeResult) {
  return {
    output,
    shape: r.volume.shape,
    model: r.model,
    provider: r.provider,
    timings: r.timings,
    parameters: r.parameters,
    volumeFractions: r.volumeFractions,
    targetFractions: r.targetFractions,
    transport: r.transport,
    axisFractions: r.axisFractions,
    refineFractions: r.refineFractions,
  }
}

export function registerReconstruct(program: Command): void {
  program
    .command('reconstruct')
    .description('reconstruct a 3D volume from a model bundle by latent multi-plane diffusion')
    .requiredOption('--model <id|path>', 'bundle id (shipped or project) or bundle folder')
    .option('--project <dir>', 'project whose bundles --model may name')
    .option('--size <n>', 'cubic size N (a multiple of the latent factor)', parseIntOption('size', 1))
    .option('--shape <z,y,x>', 'non-cubic shape', parseTriple('shape', true))
    .option('--seed <s>', 'random seed (default 0)', parseIntOption('seed', 0))
    .option('--sampler <kind>', 'ddpm or ddim (default ddim)', oneOf('sampler', ['ddpm', 'ddim'] as const))
    .option('--steps <k>', 'reverse steps (ddim default 50, ddpm default T)', parseIntOption('steps', 1))
    .option('--eta <e>', 'DDIM stochasticity η (default 0)', parseFloatOption('eta', 0, 1))
    .option('--harmonize <n>', 'harmonizing passes per step n_h (default 0)', parseIntOption('harmonize', 0))
    .option('--gamma <g>', 'harmonized/unharmonized blend γ (default 1)', parseFloatOption('gamma', 0, 1))
    .option('--refine <k>', 'refinement rounds K (default 2)', parseIntOption('refine', 0))
    .option(
      '--guidance <w>',
      'classifier-free guidance weight ω for conditioned bundles (default 1)',
      parseFloatOption('guidance', 0, 100),
    )
    .option('--class-label <c>', 'class id for class-conditioned bundles', parseIntOption('class-label', 0))
    .option(
      '--stats-guidance <k>',
      'strength κ of the guidance toward the training statistics (volume fraction, + S2 with --s2-weight; default 1, 0 = off)',
      parseFloatOption('stats-guidance', 0, 10),
    )
    .option(
      '--s2-weight <w>',
      'weight of the S2 term of that guidance (0 = volume fraction only)',
      parseFloatOption('s2-weight', 0, 1e6),
    )
    .option(
      '--guidance-every <n>',
      'apply that guidance at every n-th step only (default 1)',
      parseIntOption('guidance-every', 1),
    )
    .option(
      '--guidance-max-step <s>',
      'cap on one guidance step, RMS per latent element (default 0.5)',
      parseFloatOption('guidance-max-step', 0, 100),
    )
    .option(
      '--guidance-fraction <f>',
      'guide the soft (mean probability, default) or hard (argmax) fraction of the decoded planes',
      oneOf('guidance-fraction', ['soft', 'hard'] as const),
    )
    .option(
      '--axis-mode <mode>',
      'cycle (one axis per pass), average (ε of all three axes) or z-only (stacked 2D samples, a baseline)',
      oneOf('axis-mode', ['cycle', 'average', 'z-only'] as const),
    )
    .option(
      '--fractions <f>',
      "the volume's target phase fractions: sampled (default: drawn from the spread of real subvolumes " +
        'of this size around the training fractions), training (exactly the training fractions), or ' +
        'comma-separated fractions per phase',
      parseFractions,
    )
    .option(
      '--quantise <q>',
      "match-fractions (default: biased argmax hitting the volume's target fractions) or argmax",
      oneOf('quantise', ['argmax', 'match-fractions'] as const),
    )
    .option(
      '--threads <t>',
      'ONNX Runtime intra-op threads (default 0 = one per core)',
      parseIntOption('threads', 0),
    )
    .option(
      '--provider <p>',
      `execution provider: ${PROVIDER_CHOICES.join(', ')} (default auto)`,
      oneOf('provider', PROVIDER_CHOICES),
    )
    .requiredOption('--out <file>', 'output volume file (format by extension)')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'machine-readable output')
    .action(async (opts: ReconstructOptions) => {
      if (opts.size !== undefined && opts.shape) throw new UserError('give --size or --shape, not both')
      const shape: Shape3 | undefined =
        opts.shape ?? (opts.size !== undefined ? [opts.size, opts.size, opts.size] : undefined)
      if (!shape) throw new UserError('--size N or --shape Z,Y,X is required')
      const bundle = await resolveBundle(opts.model, { projectDir: opts.project })
      const controller = new AbortController()
      const onSigint = () => controller.abort()
      process.once('SIGINT', onSigint)
      try {
        const result = await reconstructVolume(
          bundle,
          {
            shape,
            seed: opts.seed,
            sampler: opts.sampler,
            steps: opts.steps,
            eta: opts.eta,
            harmonize: opts.harmonize,
            gamma: opts.gamma,
            refine: opts.refine,
            guidanceWeight: opts.guidance,
            classLabel: opts.classLabel,
            statsGuidance: opts.statsGuidance,
            s2Weight: opts.s2Weight,
            guidanceEvery: opts.guidanceEvery,
            guidanceMaxStep: opts.guidanceMaxStep,
            guidanceFraction: opts.guidanceFraction,
            axisMode: opts.axisMode,
            quantise: opts.quantise,
            fractions: opts.fractions,
            threads: opts.threads,
            provider: opts.provider,
          },
          {
            signal: controller.signal,
            onProgress: stderrProgress(opts.quiet, (p: ReconstructionProgress) => {
              const eta = p.etaSeconds === null ? '' : `, ${p.etaSeconds.toFixed(0)} s left`
              return `${p.stage} ${p.step}/${p.steps} (${(p.fraction * 100).toFixed(0)} %${eta})`
            }),
          },
        )
        await writeVolume(opts.out, result.volume)
        const report = reconstructReport(opts.out, result)
        emit(opts.json, report, () =>
          [
            `wrote ${opts.out}: ${shape.join('x')} from ${result.model.id} on ${result.provider}`,
            `volume fractions ${result.volumeFractions.map((f, p) => `${bundle.manifest.phases[p].name} ${f.toFixed(4)}`).join(', ')}`,
            `time ${result.timings.total.toFixed(2)} s (sample ${result.timings.sample.toFixed(2)}, decode ${result.timings.decode.toFixed(2)}, ` +
              `refine ${result.timings.refine.toFixed(2)}; load ${result.timings.load.toFixed(2)})`,
          ].join('\n'),
        )
      } finally {
        process.off('SIGINT', onSigint)
      }
    })
}
