/**
 * `npm run demo`: reconstruct a 64³ Berea sandstone with the shipped bundle (resources/models/
 * berea-sandstone), write it for FEA/visualisation to ./out (.vti and .inp, or .npy where a writer is
 * missing), and print its descriptors beside the bundle's training statistics (stats.json: 2D patches, so
 * the comparison is per in-plane axis).
 *
 * Options: --model ID|PATH (another bundle), --size N, --seed S.
 */
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { describeVolume } from '../src/core/analysis'
import { UserError, errorMessage } from '../src/core/errors'
import { WRITE_EXTENSIONS, writeVolume } from '../src/core/io'
import { resolveBundle, shippedModelsDir } from '../src/core/models/bundle'
import { reconstructVolume } from '../src/core/models/reconstruct'
import type { PhaseStats } from '../src/core/models/stats'

const SHOWN_R = [0, 2, 4, 8, 16]

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback
}

const f3 = (v: number | undefined) => (v === undefined ? '   -  ' : v.toFixed(4))

async function main(): Promise<number> {
  const modelRef = option('model', 'berea-sandstone')
  const size = Number(option('size', '64'))
  const seed = Number(option('seed', '1'))
  let bundle
  try {
    bundle = await resolveBundle(modelRef)
  } catch (err) {
    process.stderr.write(
      `demo: no usable bundle '${modelRef}' (${errorMessage(err)}).\n` +
        `The shipped Berea bundle belongs in ${path.join(shippedModelsDir(), 'berea-sandstone')}; ` +
        `it is produced by the trainer (training/, see docs). Use --model PATH for another bundle.\n`,
    )
    return 1
  }
  let stage = ''
  process.stderr.write(`reconstructing ${size}³ with ${bundle.id} (${bundle.manifest.name}), seed ${seed}\n`)
  const result = await reconstructVolume(
    bundle,
    { shape: [size, size, size], seed },
    {
      onProgress: (p) => {
        if (p.stage !== stage)
          process.stderr.write(`  ${(stage = p.stage)} (${(p.fraction * 100).toFixed(0)} % done)\n`)
      },
    },
  )
  const t = result.timings
  process.stderr.write(
    `done on ${result.provider} in ${t.total.toFixed(2)} s (sample ${t.sample.toFixed(2)}, decode ${t.decode.toFixed(2)}, ` +
      `refine ${t.refine.toFixed(2)}; sessions ${t.load.toFixed(2)})\n`,
  )

  const outDir = path.resolve('out')
  mkdirSync(outDir, { recursive: true })
  const written: string[] = []
  for (const ext of ['.vti', '.inp']) {
    const file = path.join(outDir, `${bundle.id}-${size}${ext}`)
    if ((WRITE_EXTENSIONS as readonly string[]).includes(ext)) {
      await writeVolume(file, result.volume)
      written.push(file)
    } else {
      const npy = path.join(outDir, `${bundle.id}-${size}.npy`)
      process.stderr.write(`no ${ext} writer in this build yet; writing ${path.basename(npy)} instead\n`)
      if (!written.includes(npy)) {
        await writeVolume(npy, result.volume)
        written.push(npy)
      }
    }
  }
  process.stdout.write(`wrote ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}\n\n`)

  const d = describeVolume(result.volume)
  const stats: PhaseStats[] = bundle.stats.planes.all.phases
  for (const phase of d.phases) {
    const s = stats[phase.id]
    const name = bundle.manifest.phases[phase.id]?.name ?? `phase ${phase.id}`
    process.stdout.write(
      `${name}: volume fraction ${f3(phase.volumeFraction)}   training ${f3(s.volumeFraction.mean)} ± ${f3(s.volumeFraction.std)}\n`,
    )
    process.stdout.write(`  ${'curve'.padEnd(26)}${SHOWN_R.map((r) => `r=${r}`.padEnd(9)).join('')}\n`)
    const row = (label: string, values: (number | undefined)[]) =>
      process.stdout.write(`  ${label.padEnd(26)}${values.map((v) => f3(v).padEnd(9)).join('')}\n`)
    for (const axis of ['z', 'y', 'x'] as const)
      row(
        `S2 along ${axis} (volume)`,
        SHOWN_R.map((r) => phase.s2[axis][r]),
      )
    row(
      'S2 training (x, y)',
      SHOWN_R.map((r) => (s.s2.x.mean[r] + s.s2.y.mean[r]) / 2),
    )
    for (const axis of ['z', 'y', 'x'] as const)
      row(
        `lineal path ${axis} (volume)`,
        SHOWN_R.map((r) => phase.linealPath[axis][r]),
      )
    row(
      'lineal path training',
      SHOWN_R.map((r) => (s.linealPath.x.mean[r] + s.linealPath.y.mean[r]) / 2),
    )
    process.stdout.write('\n')
  }
  return 0
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo: ${err instanceof UserError ? err.message : errorMessage(err)}\n`)
    process.exit(1)
  },
)
