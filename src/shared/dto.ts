/**
 * Data shapes that cross a process boundary (renderer ↔ main ↔ job process), as zod schemas so that every
 * message is validated where it arrives. Large arrays never travel here: volumes are fetched by URL.
 */
import { z } from 'zod'

export const Axis = z.enum(['z', 'y', 'x'])
export const Shape3 = z.tuple([
  z.number().int().positive(),
  z.number().int().positive(),
  z.number().int().positive(),
])
export const Spacing3 = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()])

export const PhaseInfo = z.object({ id: z.number().int().min(0), name: z.string(), color: z.string() })
export type PhaseInfo = z.infer<typeof PhaseInfo>

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  transport: z.enum(['electron', 'web', 'in-process']),
  node: z.string(),
  platform: z.string(),
  cpus: z.number().int(),
  project: z.string().nullable(),
})
export type AppInfo = z.infer<typeof AppInfo>

export const ProjectSummary = z.object({
  dir: z.string(),
  name: z.string(),
  createdAt: z.string(),
  counts: z.object({
    datasets: z.number().int(),
    volumes: z.number().int(),
    jobs: z.number().int(),
    models: z.number().int(),
  }),
})
export type ProjectSummary = z.infer<typeof ProjectSummary>

export const RecentProject = z.object({ dir: z.string(), name: z.string(), openedAt: z.string() })
export type RecentProject = z.infer<typeof RecentProject>

export const VolumeInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  shape: Shape3,
  spacing: Spacing3,
  unit: z.string(),
  phases: z.array(PhaseInfo),
  source: z.enum(['import', 'synth', 'reconstruct', 'design', 'dataset']),
  jobId: z.number().int().nullable(),
  datasetId: z.number().int().nullable(),
  createdAt: z.string(),
  /** URL of the raw uint8 labels (C order z,y,x): vox://… under Electron, /vox/… under the web host. */
  url: z.string(),
})
export type VolumeInfo = z.infer<typeof VolumeInfo>

export const DatasetInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  anisotropic: z.boolean(),
  createdAt: z.string(),
  images: z.array(
    z.object({
      id: z.number().int(),
      volumeId: z.number().int(),
      plane: z.enum(['xy', 'xz', 'yz']).nullable(),
      classLabel: z.string().nullable(),
      sourcePath: z.string().nullable(),
    }),
  ),
})
export type DatasetInfo = z.infer<typeof DatasetInfo>

export const MeasurementInfo = z.object({
  id: z.number().int(),
  volumeId: z.number().int().nullable(),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  result: z.unknown(),
  createdAt: z.string(),
})
export type MeasurementInfo = z.infer<typeof MeasurementInfo>

export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
export type JobStatus = z.infer<typeof JobStatus>

export const JobKind = z.enum([
  'synth',
  'describe',
  'property',
  'convert',
  'import',
  'reconstruct',
  'design',
  'train',
  'test',
])
export type JobKind = z.infer<typeof JobKind>

export const JobInfo = z.object({
  id: z.number().int(),
  kind: JobKind,
  params: z.record(z.string(), z.unknown()),
  status: JobStatus,
  progress: z.number().min(0).max(1),
  message: z.string().nullable(),
  error: z.string().nullable(),
  result: z.unknown().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  etaSeconds: z.number().nullable(),
})
export type JobInfo = z.infer<typeof JobInfo>

export const ModelInfo = z.object({
  id: z.string(),
  source: z.enum(['shipped', 'project', 'path']),
  dir: z.string(),
  ok: z.boolean(),
  /** Why the bundle was refused (hash mismatch, bad manifest, ...); null when valid. */
  error: z.string().nullable(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  material: z.string().nullable(),
  phases: z.array(PhaseInfo),
  imageSize: z.number().int().nullable(),
  conditioning: z.string().nullable(),
  licence: z.string().nullable(),
  training: z.record(z.string(), z.unknown()).nullable(),
})
export type ModelInfo = z.infer<typeof ModelInfo>

/** A volume file format the backend reads or writes (core/io SUPPORTED_FORMATS). */
export const FileFormat = z.object({
  id: z.string(),
  extensions: z.array(z.string()),
  read: z.boolean(),
  write: z.boolean(),
  description: z.string(),
})
export type FileFormat = z.infer<typeof FileFormat>
