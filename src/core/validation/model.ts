/**
 * Validation of a model bundle: reconstruct K volumes of n³ with the bundle's default parameters and seeds
 * seed … seed + K − 1 (reconstructVolume), and validate them against a reference file (validateEnsemble).
 * The CLI command and the app's 'validate' job both call this.
 */
import path from 'node:path'
import { readVolume } from '../io'
import type { ModelBundle } from '../models/bundle'
import type { ProviderChoice } from '../models/providers'
import { reconstructVolume } from '../models/reconstruct'
import type { Axis } from '../volume/volume'
import { validateEnsemble, type ValidationProgress, type ValidationReport } from './index'

export async function validateModel(
  bundle: ModelBundle,
  reference: { file: string; region?: [number, number] | null; name?: string },
  o: {
    size: number
    count: number
    draws?: number
    seed?: number
    transportAxes?: Axis[]
    solverTolerance?: number
    threads?: number
    provider?: ProviderChoice
    signal?: AbortSignal
    onProgress?: (p: ValidationProgress) => void
  },
): Promise<ValidationReport> {
  const vol = await readVolume(reference.file)
  const seed = o.seed ?? 0
  const seeds = Array.from({ length: o.count }, (_, i) => seed + i)
  return validateEnsemble(
    vol,
    async (i, report) =>
      (
        await reconstructVolume(
          bundle,
          { shape: [o.size, o.size, o.size], seed: seeds[i], threads: o.threads, provider: o.provider },
          { signal: o.signal, onProgress: (p) => report(p.fraction) },
        )
      ).volume,
    {
      size: o.size,
      count: o.count,
      draws: o.draws,
      seed,
      region: reference.region ?? null,
      referenceName: reference.name ?? path.basename(reference.file),
      phaseNames: bundle.manifest.phases.map((p) => p.name),
      transportAxes: o.transportAxes,
      solverTolerance: o.solverTolerance,
      model: { id: bundle.id, name: bundle.manifest.name, manifestSha256: bundle.manifestSha256 },
      generatedSeeds: seeds,
      signal: o.signal,
      onProgress: o.onProgress,
    },
  )
}
