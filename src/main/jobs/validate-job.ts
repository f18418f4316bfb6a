/**
 * The 'validate' job: a model's generated ensemble against real subvolumes of a reference (a project
 * volume, resolved by the runner to `referencePath`, or a file), reported row by row with verdicts
 * (src/core/validation). The report goes back in the outcome and the runner stores it in the validations
 * table with the model's id, source and manifest hash.
 */
import path from 'node:path'
import { UserError } from '../../core/errors'
import { resolveBundle } from '../../core/models/bundle'
import { validateModel } from '../../core/validation/model'
import { ValidateJobParams } from '../../shared/validation'
import type { JobHandler } from './job-context'

export const validateJob: JobHandler = async (raw, ctx) => {
  const { referencePath: runnerPath, ...rest } = raw
  const parsed = ValidateJobParams.safeParse(
    typeof rest.referenceVolumeId === 'number' ? rest : { ...rest, referencePath: runnerPath },
  )
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UserError(`validate job: ${issue.path.join('.') || 'parameters'}: ${issue.message}`)
  }
  const params = parsed.data
  const file = typeof runnerPath === 'string' ? runnerPath : params.referencePath
  if (!file) throw new UserError(`validate job: the reference volume's file is missing`)
  const bundle = await resolveBundle(params.model, { projectDir: ctx.projectDir })
  ctx.log(
    `validating ${bundle.id}: ${params.count} × ${params.size}³ against ${params.draws} real ensembles of ` +
      `${path.basename(file)}${params.region ? ` z ${params.region[0]}:${params.region[1]}` : ''}`,
  )
  let lastStage = ''
  const report = await validateModel(
    bundle,
    {
      file,
      region: params.region ?? null,
      name: params.referenceVolumeId !== undefined ? `project volume ${params.referenceVolumeId}` : undefined,
    },
    {
      size: params.size,
      count: params.count,
      draws: params.draws,
      seed: params.seed,
      threads: ctx.settings.threads,
      provider: (ctx.settings.provider as never) ?? undefined,
      signal: ctx.signal,
      onProgress: (p) => {
        if (p.stage !== lastStage) ctx.log(`stage: ${(lastStage = p.stage)}`)
        ctx.progress(Math.min(0.99, p.fraction), p.message)
      },
    },
  )
  ctx.log(`${report.summary.within} of ${report.summary.total} rows within real variation`)
  return {
    result: { model: bundle.id, summary: report.summary, mode: report.mode },
    validations: [
      {
        modelId: bundle.id,
        modelSource: params.modelSource ?? bundle.source,
        modelSha256: bundle.manifestSha256,
        params: { ...params },
        report,
      },
    ],
  }
}
