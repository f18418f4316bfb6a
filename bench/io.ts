/**
 * Export speed and memory of every writer: `npm run bench -- io [N] [INP_N]`.
 * Each format runs in its own child process, which builds an N^3 three-phase volume (default 512:
 * 128 MiB of labels), writes it, and reports wall time, file size and peak memory. Memory is the peak
 * resident set (getrusage maxRSS) minus the resident set before the volume was allocated, divided by the
 * volume's size: the bar is about 2 (the volume itself plus at most as much again).
 * The Abaqus export runs at INP_N^3 (default 192) because a 512^3 .inp is about 15 GB of text.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { BenchContext } from './index'

const FORMATS = ['npy', 'raw', 'mhd', 'tif', 'vti', 'damask.vti', 'stl', 'inp'] as const

interface ChildResult {
  format: string
  n: number
  seconds: number
  fileMiB: number
  volumeMiB: number
  extraMiB: number
  memoryPerVolume: number
}

/** Three phases: two families of large balls on a lattice in a matrix, so surfaces stay moderate. */
function structuredVolume(n: number): Uint8Array {
  const data = new Uint8Array(n * n * n)
  const period = 64
  for (let z = 0, i = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++, i++) {
        const dx = (x % period) - period / 2
        const dy = (y % period) - period / 2
        const dz = (z % period) - period / 2
        const r2 = dx * dx + dy * dy + dz * dz
        data[i] = r2 < 400 ? 1 : r2 > 900 && (x + y) % period < 8 ? 2 : 0
      }
  return data
}

async function child(format: string, n: number, dir: string): Promise<void> {
  const { writeVolume } = await import('../src/core/io')
  const { makeVolume } = await import('../src/core/volume/volume')
  const before = process.memoryUsage().rss
  const vol = makeVolume([n, n, n], structuredVolume(n), [1, 1, 1], 'um')
  const file = path.join(dir, `bench.${format}`)
  const t0 = performance.now()
  await writeVolume(file, vol, {
    phase: format === 'stl' ? 1 : undefined,
    vtiFlavor: format === 'damask.vti' ? 'damask' : 'paraview',
  })
  const seconds = (performance.now() - t0) / 1000
  const peak = process.resourceUsage().maxRSS * 1024
  const mib = 2 ** 20
  const result: ChildResult = {
    format,
    n,
    seconds: Number(seconds.toFixed(2)),
    fileMiB: Number((statSync(file).size / mib).toFixed(1)),
    volumeMiB: Number((vol.data.length / mib).toFixed(1)),
    extraMiB: Number(((peak - before) / mib).toFixed(1)),
    memoryPerVolume: Number(((peak - before) / vol.data.length).toFixed(2)),
  }
  process.stdout.write(JSON.stringify(result))
}

export default async function run(ctx: BenchContext): Promise<ChildResult[]> {
  const n = Number(ctx.args[0] ?? 512)
  const inpN = Number(ctx.args[1] ?? 192)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'microlad-bench-io-'))
  const results: ChildResult[] = []
  try {
    for (const format of FORMATS) {
      const size = format === 'inp' ? inpN : n
      ctx.log(`${format} at ${size}^3`)
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', __filename, 'child', format, String(size), dir],
        {
          encoding: 'utf8',
          maxBuffer: 1 << 20,
        },
      )
      const r = JSON.parse(out) as ChildResult
      ctx.log(JSON.stringify(r))
      results.push(r)
      rmSync(path.join(dir, `bench.${format}`), { force: true })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return results
}

if (process.argv[2] === 'child') {
  child(process.argv[3], Number(process.argv[4]), process.argv[5]).catch((err: unknown) => {
    process.stderr.write(String(err instanceof Error ? err.stack : err))
    process.exit(1)
  })
}
