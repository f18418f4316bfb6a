import type { Command } from 'commander'
import { UserError } from '../../core/errors'
import { resolveBundle } from '../../core/models/bundle'
import { PROVIDER_CHOICES, type ProviderChoice } from '../../core/models/providers'
import { DEFAULT_DRAWS, DEFAULT_SOLVER_TOLERANCE, type ValidationReport } from '../../core/validation'
import type { VerdictCheck } from '../../shared/validation'
import { validateModel } from '../../core/validation/model'
import { AXES, type Axis } from '../../core/volume/volume'
import { emit, parseFloatOption, parseIntOption, stderrProgress } from '../output'

interface ValidateCliOptions {
  model: string
  project?: string
  reference: string
  region?: [number, number]
  size: number
  count: number
  draws: number
  seed: number
  axes?: Axis[]
  tol?: number
  threads?: number
  provider?: ProviderChoice
  json?: boolean
  quiet?: boolean
}

export function parseRegion(value: string): [number, number] {
  const m = /^(\d+):(\d+)$/.exec(value.trim())
  if (!m || Number(m[2]) <= Number(m[1]))
    throw new UserError(`--region must be z0:z1 with z0 < z1 (z slices [z0, z1)), got '${value}'`)
  return [Number(m[1]), Number(m[2])]
}

function parseAxes(value: string): Axis[] {
  const axes = value.split(',').map((s) => s.trim())
  if (!axes.length || !axes.every((a) => (AXES as readonly string[]).includes(a)))
    throw new UserError(`--axes must be a comma list of z, y, x, got '${value}'`)
  return [...new Set(axes)] as Axis[]
}

function provider(value: string): ProviderChoice {
  if (!(PROVIDER_CHOICES as readonly string[]).includes(value))
    throw new UserError(`--provider must be one of ${PROVIDER_CHOICES.join(', ')}, got '${value}'`)
  return value as ProviderChoice
}

/** A number for a table cell: 4 decimals, or 3 significant digits in exponent form when tiny. */
export function cell(v: number | null): string {
  if (v === null) return '–'
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '∞' : '−∞'
  if (v !== 0 && Math.abs(v) < 0.01) return v.toExponential(2)
  return v.toFixed(4)
}

/** One check in words: 'SD ratio 0.76 in [0.5, 2]', or '≥ 0.5' / '≤ 28.9' for a one-sided test. */
export function checkText(c: VerdictCheck): string {
  const range =
    c.high === null
      ? `≥ ${cell(c.low)}`
      : c.low === null
        ? `≤ ${cell(c.high)}`
        : `in [${cell(c.low)}, ${cell(c.high)}]`
  return `${c.name} ${cell(c.value)} ${range}`
}

/** The report as an aligned text table, one row per phase and descriptor, with the verdict. */
export function renderValidation(r: ValidationReport): string {
  const s = r.settings
  const head = [
    `model ${r.model?.id ?? '(generator)'} vs ${r.reference.name}` +
      (r.reference.region ? ` z ${r.reference.region[0]}:${r.reference.region[1]}` : '') +
      ` (${r.reference.regionShape.join('x')}), ${r.mode.toUpperCase()}`,
    `${s.count} generated ${s.sampleShape.join('x')} samples (seeds ${s.generatedSeeds.join(',') || '–'}) against ` +
      `${s.draws} real ensembles of ${s.count} subvolumes of the same size (seed ${s.seed})`,
    ...r.notes.map((n) => `note: ${n}`),
    ...r.pending.map((p) => `not computed: ${p}`),
    '',
  ]
  const rows = r.rows.map((row) =>
    row.kind === 'scalar'
      ? [
          row.phaseName,
          row.label,
          `${cell(row.generated)} ± ${cell(row.generatedSd)}`,
          `${cell(row.realMean)} ± ${cell(row.realSd)}`,
          `${cell(row.realMin)} – ${cell(row.realMax)}`,
          row.checks.map(checkText).join('; '),
          row.verdict,
        ]
      : [
          row.phaseName,
          `${row.label} error %`,
          row.generated.toFixed(2),
          row.realMean.toFixed(2),
          `${row.realMin.toFixed(2)} – ${row.realMax.toFixed(2)}`,
          `≤ ${row.realMax.toFixed(2)} (worst real ensemble)`,
          row.verdict,
        ],
  )
  const header = [
    'phase',
    'descriptor',
    'generated (mean ± SD)',
    'real (mean ± per-vol SD)',
    'real ensembles min – max',
    'test',
    'verdict',
  ]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  const { within, total } = r.summary
  return [
    ...head,
    line(header),
    ...rows.map(line),
    '',
    `${within} of ${total} rows within real variation; ${r.timings.total.toFixed(0)} s ` +
      `(generate ${r.timings.generate.toFixed(0)} s, real ${r.timings.real.toFixed(0)} s)`,
  ].join('\n')
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'validate a model at equal sample size: K generated volumes vs many real ensembles of K subvolumes of a reference',
    )
    .requiredOption('--model <id|path>', 'bundle id (shipped or project) or bundle folder')
    .option('--project <dir>', 'project whose bundles --model may name')
    .requiredOption('--reference <file>', 'reference volume (3D) or image (2D: per-plane 2D statistics only)')
    .option('--region <z0:z1>', 'restrict a 3D reference to z slices [z0, z1), e.g. 128:256', parseRegion)
    .option(
      '--size <n>',
      'side n of the generated and real samples (default 64)',
      parseIntOption('size', 4),
      64,
    )
    .option('--count <k>', 'ensemble size K (default 8)', parseIntOption('count', 2), 8)
    .option(
      '--draws <d>',
      `real ensembles drawn (default ${DEFAULT_DRAWS})`,
      parseIntOption('draws', 2),
      DEFAULT_DRAWS,
    )
    .option(
      '--seed <s>',
      'first reconstruction seed and seed of the real draws (default 0)',
      parseIntOption('seed', 0),
      0,
    )
    .option('--axes <list>', 'axes of the D_rel solves (default z,y,x)', parseAxes)
    .option(
      '--tol <t>',
      `relative residual of the D_rel solves (default ${DEFAULT_SOLVER_TOLERANCE})`,
      parseFloatOption('tol', 1e-12, 0.1),
    )
    .option(
      '--threads <t>',
      'ONNX Runtime intra-op threads (default 0 = one per core)',
      parseIntOption('threads', 0),
    )
    .option('--provider <p>', `execution provider: ${PROVIDER_CHOICES.join(', ')} (default auto)`, provider)
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'machine-readable output (the whole report: rows, per-volume values, curves)')
    .action(async (opts: ValidateCliOptions) => {
      const bundle = await resolveBundle(opts.model, { projectDir: opts.project })
      const controller = new AbortController()
      const onSigint = () => controller.abort()
      process.once('SIGINT', onSigint)
      try {
        const report = await validateModel(
          bundle,
          { file: opts.reference, region: opts.region },
          {
            size: opts.size,
            count: opts.count,
            draws: opts.draws,
            seed: opts.seed,
            transportAxes: opts.axes,
            solverTolerance: opts.tol,
            threads: opts.threads,
            provider: opts.provider,
            signal: controller.signal,
            onProgress: stderrProgress(
              opts.quiet,
              (p: { message: string; fraction: number }) =>
                `${p.message} (${(p.fraction * 100).toFixed(0)} %)     `,
            ),
          },
        )
        emit(opts.json, report, () => renderValidation(report))
      } finally {
        process.off('SIGINT', onSigint)
      }
    })
}
