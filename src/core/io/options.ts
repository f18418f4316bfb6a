/**
 * Options shared by the volume readers and writers. Every field is optional; a reader or writer uses the
 * ones that apply to its format and ignores the rest.
 */

/** Called with the fraction done (0..1) while a big file is read or written. */
export type ProgressCallback = (fraction: number) => void

export interface ReadOptions {
  /**
   * Grey-level thresholds t1 < t2 < ...: a voxel's label is the number of thresholds its value reaches
   * (value >= t). Without thresholds, images are labelled by their distinct values (see labels.ts).
   */
  thresholds?: number[]
  /** Shape [nz, ny, nx] of a headerless .raw file that has no sidecar. */
  shape?: [number, number, number]
  /** Sample type of a headerless .raw file: uint8 (default) or uint16 little-endian. */
  rawType?: 'uint8' | 'uint16'
  onProgress?: ProgressCallback
}

export interface WriteOptions {
  /** Phase whose surface an .stl holds (required for .stl). */
  phase?: number
  /** Phases left out of an Abaqus .inp mesh (pores): their voxels get no element. */
  omitPhases?: number[]
  /** Abaqus .inp: add periodic node pairs and *EQUATION constraints tying opposite faces. */
  periodic?: boolean
  /** .vti flavour: 'paraview' (cell data "phase", uint8) or 'damask' (cell data "material", int32). */
  vtiFlavor?: 'paraview' | 'damask'
  /** .stl surface: marching cubes (smooth, default) or the exact voxel faces. */
  surface?: 'marching-cubes' | 'voxel-faces'
  /** .stl marching cubes: split each voxel into refine^3 samples first (1..8, default 2). */
  refine?: number
  onProgress?: ProgressCallback
}
