/**
 * `npm run bench -- design [steps]`: inverse design on the shipped Berea bundle at 64³ (or, when it is not
 * installed, the toy test bundle at 16³, which is untrained: timings only). One start volume (a
 * reconstruction, seed 0) and three runs: pore volume fraction 0.28, S2 toward the training statistics,
 * pore D_rel 0.10 along z. Reports steps, seconds and each target's before/after/error.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { BenchContext } from './index'
import { loadBundle } from '../src/core/models/bundle'
import { reconstructVolume } from '../src/core/models/reconstruct'
import { designVolume } from '../src/core/design/design-volume'
import { parseTarget } from '../src/core/design/targets'

export default async function bench(ctx: BenchContext) {
  const steps = Number(ctx.args[0] ?? 500)
  const berea = path.join(__dirname, '..', 'resources', 'models', 'berea-sandstone')
  const shipped = existsSync(path.join(berea, 'manifest.json'))
  const dir = shipped ? berea : path.join(__dirname, '..', 'test', 'core', 'models', 'fixtures', 'toy-bundle')
  const size = shipped ? 64 : 16
  if (!shipped) ctx.log('resources/models/berea-sandstone is not installed: using the untrained toy bundle')
  const bundle = await loadBundle(dir)
  const names = bundle.manifest.phases.map((p) => p.name)
  const pore = names.includes('pore') ? 'pore' : '0'
  const start = (await reconstructVolume(bundle, { shape: [size, size, size], seed: 0 })).volume
  const runs = []
  for (const spec of [`vf:${pore}=0.28`, 's2=training', `diffusivity:${pore}:z=0.10`]) {
    ctx.log(`${spec}: ${steps} steps at ${size}^3`)
    const r = await designVolume(bundle, {
      start: { volume: start },
      targets: [parseTarget(spec, names)],
      sds: { steps },
    })
    const o = r.outcomes[0]
    ctx.log(`  ${o.before.toPrecision(4)} -> ${o.after.toPrecision(4)}, ${r.timings.sds.toFixed(1)} s`)
    runs.push({
      target: spec,
      outcome: o,
      volumeFractions: { before: r.fractionsBefore, after: r.fractionsAfter },
      sdsSeconds: r.timings.sds,
      measureSeconds: r.timings.measure,
      solves: Object.values(r.solves)[0]?.length ?? 0,
    })
  }
  return { bundle: bundle.id, shipped, size, steps, batch: 8, runs }
}
