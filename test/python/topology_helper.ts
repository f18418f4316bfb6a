/**
 * Helper of test_topology.py: `npx tsx test/python/topology_helper.ts <raw uint8 file> <nz> <ny> <nx>
 * <phase> [<thickness map out>]` prints {"chi26", "chi6", "mean", "median", "ms"} for the phase (Euler
 * characteristic at both connectivities, local-thickness mean and median in voxels, the local-thickness
 * time in ms) and writes the per-voxel thickness map (float32, C order) when an output path is given.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { eulerCharacteristic } from '../../src/core/analysis/euler'
import { localThickness } from '../../src/core/analysis/local-thickness'
import { makeVolume } from '../../src/core/volume/volume'

const [file, nz, ny, nx, phase, mapOut] = process.argv.slice(2)
const vol = makeVolume([Number(nz), Number(ny), Number(nx)], new Uint8Array(readFileSync(file)))
const p = Number(phase)
const t = performance.now()
const lt = localThickness(vol, p, { map: mapOut !== undefined })
const ms = performance.now() - t
if (mapOut !== undefined && lt.map) writeFileSync(mapOut, lt.map)
process.stdout.write(
  JSON.stringify({
    chi26: eulerCharacteristic(vol, p).chi,
    chi6: eulerCharacteristic(vol, p, { connectivity: 6 }).chi,
    mean: lt.mean,
    median: lt.median,
    ms,
  }),
)
