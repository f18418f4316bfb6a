import type { Command } from 'commander'
import { discoverBundles, shippedModelsDir, type DiscoveredBundle } from '../../core/models/bundle'
import { GRAPH_CONTRACTS } from '../../core/models/graph-contract'
import { openBundleModel } from '../../core/models/onnx-model'
import { availableProviders } from '../../core/models/providers'
import { trainingFractions } from '../../core/models/stats'
import { errorMessage } from '../../core/errors'
import { emit } from '../output'

/** One row of `microlad models`: a bundle found, checked down to its ONNX graphs, or refused with the reason. */
export interface BundleListing {
  id: string
  source: string
  dir: string
  ok: boolean
  error?: string
  name?: string
  material?: string
  phases?: string[]
  imageSize?: number
  latent?: { channels: number; size: number; factor: number }
  conditioning?: string
  trainingFractions?: number[]
  manifestSha256?: string
}

async function check(found: DiscoveredBundle): Promise<BundleListing> {
  const base = { id: found.id, source: found.source, dir: found.dir }
  if (!found.ok) return { ...base, ok: false, error: found.error }
  const b = found.bundle
  try {
    const model = await openBundleModel(b, {
      provider: 'cpu',
      intraOpNumThreads: 1,
      maxBatch: 1,
      maxBatchPixels: 1,
    })
    await model.release()
  } catch (err) {
    return { ...base, ok: false, error: errorMessage(err) }
  }
  const m = b.manifest
  return {
    ...base,
    ok: true,
    name: m.name,
    material: m.material,
    phases: m.phases.map((p) => p.name),
    imageSize: m.imageSize,
    latent: { channels: m.latent.channels, size: m.latent.size, factor: m.latent.factor },
    conditioning:
      m.conditioning.kind === 'none'
        ? 'none'
        : `${m.conditioning.kind} (${m.conditioning.labels.join(', ')})`,
    trainingFractions: trainingFractions(b.stats),
    manifestSha256: b.manifestSha256,
  }
}

function render(rows: BundleListing[], shippedDir: string): string {
  if (!rows.length) return `no model bundles found (shipped bundles folder: ${shippedDir})`
  return rows
    .map((r) =>
      r.ok
        ? `${r.id}  [${r.source}]  ${r.name}: ${r.material}; phases ${r.phases!.join(' / ')} ` +
          `(training fractions ${r.trainingFractions!.map((f) => f.toFixed(3)).join(' / ')}); ` +
          `${r.imageSize}² images, latent ${r.latent!.channels}×${r.latent!.size}² (factor ${r.latent!.factor}); ` +
          `conditioning ${r.conditioning}\n    ${r.dir}`
        : `${r.id}  [${r.source}]  REFUSED: ${r.error}\n    ${r.dir}`,
    )
    .join('\n')
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description(
      `list the model bundles found (shipped and project), each checked: manifest, sha256 of its files, ` +
        `and the inputs/outputs of its ${Object.keys(GRAPH_CONTRACTS).length} ONNX graphs`,
    )
    .option('--project <dir>', 'also list the bundles of this project (PROJECT/models/<id>/)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { project?: string; json?: boolean }) => {
      const shippedDir = shippedModelsDir()
      const rows = await Promise.all((await discoverBundles({ projectDir: opts.project })).map(check))
      emit(opts.json, { shippedDir, providers: availableProviders(), bundles: rows }, () =>
        render(rows, shippedDir),
      )
    })
}
