/**
 * Percolating (connected) fraction of a phase along each axis: the fraction of the phase's voxels that
 * belong to clusters touching both faces perpendicular to the axis (index 0 and n − 1 along it). Clusters
 * are face-connected (6-connectivity in 3D, 4 in 2D). An axis with a single voxel layer gives null.
 */
import { checkPhase } from './indicator'
import type { Volume } from '../volume/volume'

export interface PercolatingFraction {
  z: number | null
  y: number | null
  x: number | null
}

/** Cluster label (a root voxel index) of every voxel of the phase, -1 elsewhere, by union-find. */
export function faceConnectedClusters(vol: Volume, phase: number): Int32Array {
  const [nz, ny, nx] = vol.shape
  const d = vol.data
  const parent = new Int32Array(d.length).fill(-1)
  const find = (i: number): number => {
    let r = i
    while (parent[r] !== r) r = parent[r]
    while (parent[i] !== r) {
      const next = parent[i]
      parent[i] = r
      i = next
    }
    return r
  }
  const union = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  let i = 0
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (d[i] !== phase) continue
        parent[i] = i
        if (x > 0 && d[i - 1] === phase) union(i, i - 1)
        if (y > 0 && d[i - nx] === phase) union(i, i - nx)
        if (z > 0 && d[i - nx * ny] === phase) union(i, i - nx * ny)
      }
    }
  }
  for (let j = 0; j < d.length; j++) if (parent[j] >= 0) parent[j] = find(j)
  return parent
}

export function percolatingFraction(vol: Volume, phase: number): PercolatingFraction {
  checkPhase(phase)
  const [nz, ny, nx] = vol.shape
  const labels = faceConnectedClusters(vol, phase)
  let phaseVoxels = 0
  for (let j = 0; j < labels.length; j++) if (labels[j] >= 0) phaseVoxels++
  const along = (a: 0 | 1 | 2): number | null => {
    const n = vol.shape[a]
    if (n === 1) return null
    if (phaseVoxels === 0) return 0
    const atLow = new Set<number>()
    const spanning = new Set<number>()
    const visitFace = (index: number, onFace: (label: number) => void) => {
      // Walk every voxel whose coordinate along axis a equals `index`.
      for (let z = 0; z < nz; z++) {
        if (a === 0 && z !== index) continue
        for (let y = 0; y < ny; y++) {
          if (a === 1 && y !== index) continue
          for (let x = 0; x < nx; x++) {
            if (a === 2 && x !== index) continue
            const label = labels[(z * ny + y) * nx + x]
            if (label >= 0) onFace(label)
          }
        }
      }
    }
    visitFace(0, (label) => atLow.add(label))
    visitFace(n - 1, (label) => {
      if (atLow.has(label)) spanning.add(label)
    })
    let inSpanning = 0
    for (let j = 0; j < labels.length; j++) if (labels[j] >= 0 && spanning.has(labels[j])) inSpanning++
    return inSpanning / phaseVoxels
  }
  return { z: along(0), y: along(1), x: along(2) }
}
