/**
 * `npm run bench -- analysis [sizes]` (default sizes 64,128,256): on cubic crops [0:n]³ of the Berea
 * sandstone volume (../shared/data), times in one run
 *  - our pore relative diffusivity along z (computeTransport: multigrid-CG) with its peak memory,
 *  - TauFactor's CPU solver on the same crop (python subprocess; only `solve()` is timed),
 *  - our S2 (twoPointCorrelation) and lineal path (linealPath) next to PoreSpy's two_point_correlation.
 * Wall times are what a user waits; CPU times are given too because the machine may be shared.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { BenchContext } from './index'
import { linealPath, twoPointCorrelation } from '../src/core/analysis'
import { computeTransport } from '../src/core/physics'
import { makeVolume, type Volume } from '../src/core/volume/volume'

const BEREA = path.resolve(__dirname, '..', '..', 'shared', 'data', '3d-berea-sandstone', 'volume.raw')
const FULL = 256
const PORE = 0
const PYTHON_TIMEOUT_S = 1800

const PYTHON_REFERENCE = `
import json, resource, sys, time
import numpy as np
path, n, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
vol = np.fromfile(path, dtype=np.uint8).reshape(${FULL}, ${FULL}, ${FULL})[:n, :n, :n]
pore = np.ascontiguousarray(vol == ${PORE})
out = {}
if what == 'taufactor':
    import taufactor, torch
    solver = taufactor.Solver(pore.astype(np.uint8), device='cpu')
    w, c = time.perf_counter(), time.process_time()
    solver.solve(verbose=False, iter_limit=200000)
    out = {'wallSeconds': time.perf_counter() - w, 'cpuSeconds': time.process_time() - c,
           'tortuosityFactor': float(solver.tau[0]), 'relativeDiffusivity': float(solver.D_rel[0]),
           'iterations': int(solver.iter), 'converged': bool(solver.converged), 'torchThreads': torch.get_num_threads()}
else:
    import porespy
    w, c = time.perf_counter(), time.process_time()
    s2 = porespy.metrics.two_point_correlation(pore)
    out = {'wallSeconds': time.perf_counter() - w, 'cpuSeconds': time.process_time() - c, 'bins': len(s2.distance)}
out['peakRssMiB'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
`

function crop(full: Uint8Array, n: number): Volume {
  const out = new Uint8Array(n * n * n)
  for (let z = 0; z < n; z++) {
    for (let y = 0; y < n; y++) {
      const src = (z * FULL + y) * FULL
      out.set(full.subarray(src, src + n), (z * n + y) * n)
    }
  }
  return makeVolume([n, n, n], out)
}

function timed<T>(fn: () => T): { value: T; wallSeconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const value = fn()
  const used = process.cpuUsage(cpu)
  return {
    value,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
  }
}

function python(what: 'taufactor' | 'porespy', n: number): Record<string, unknown> {
  try {
    const stdout = execFileSync('python3', ['-c', PYTHON_REFERENCE, BEREA, String(n), what], {
      encoding: 'utf8',
      timeout: PYTHON_TIMEOUT_S * 1000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}')
  } catch (err) {
    return { error: err instanceof Error ? err.message.split('\n')[0] : String(err) }
  }
}

export default async function analysis(ctx: BenchContext) {
  if (!existsSync(BEREA)) throw new Error(`Berea volume not found at ${BEREA}`)
  const sizes = (ctx.args[0] ?? '64,128,256').split(',').map(Number)
  const full = new Uint8Array(readFileSync(BEREA))
  const rows = []
  for (const n of sizes) {
    const vol = crop(full, n)
    ctx.log(`${n}^3: transport`)
    let peakArrayBuffersMiB = 0
    const ours = timed(() =>
      computeTransport(vol, {
        phase: PORE,
        axis: 'z',
        onProgress: () => {
          peakArrayBuffersMiB = Math.max(peakArrayBuffersMiB, process.memoryUsage().arrayBuffers / 2 ** 20)
        },
      }),
    )
    const maxRssMiB = process.resourceUsage().maxRSS / 1024
    ctx.log(
      `${n}^3: ours ${ours.wallSeconds.toFixed(2)} s, D_rel ${ours.value.relativeDiffusivity}; TauFactor`,
    )
    const tauFactor = python('taufactor', n)
    ctx.log(`${n}^3: TauFactor ${JSON.stringify(tauFactor)}; S2 and lineal path`)
    const s2 = timed(() => twoPointCorrelation(vol, PORE))
    const lineal = timed(() => linealPath(vol, PORE))
    const poreSpy = python('porespy', n)
    const tfWall = typeof tauFactor.wallSeconds === 'number' ? tauFactor.wallSeconds : null
    const psWall = typeof poreSpy.wallSeconds === 'number' ? poreSpy.wallSeconds : null
    rows.push({
      size: n,
      transport: {
        ours: {
          wallSeconds: ours.wallSeconds,
          cpuSeconds: ours.cpuSeconds,
          relativeDiffusivity: ours.value.relativeDiffusivity,
          tortuosityFactor: ours.value.tortuosityFactor,
          iterations: ours.value.iterations,
          residual: ours.value.residual,
          peakArrayBuffersMiB,
          processMaxRssMiB: maxRssMiB,
        },
        tauFactorCpu: tauFactor,
        speedupWall: tfWall === null ? null : tfWall / ours.wallSeconds,
        relativeDifferenceDrel:
          typeof tauFactor.relativeDiffusivity === 'number'
            ? Math.abs(ours.value.relativeDiffusivity - tauFactor.relativeDiffusivity) /
              tauFactor.relativeDiffusivity
            : null,
      },
      twoPointCorrelation: {
        ours: { wallSeconds: s2.wallSeconds, cpuSeconds: s2.cpuSeconds },
        poreSpy,
        speedupWall: psWall === null ? null : psWall / s2.wallSeconds,
      },
      linealPath: { ours: { wallSeconds: lineal.wallSeconds, cpuSeconds: lineal.cpuSeconds } },
    })
  }
  return { volume: 'Berea sandstone crops [0:n]^3, pore = phase 0, transport along z', rows }
}
