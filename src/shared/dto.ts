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
  'crop',
  'export-dataset',
  'validate',
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
  /** Condition labels (planes or classes) of a conditioned bundle. */
  conditioningLabels: z.array(z.string()).optional(),
  /** Latent factor f: every side of a volume must be a multiple of it. */
  latentFactor: z.number().int().positive().nullable().optional(),
  /** Diffusion steps T of the schedule (DDPM's default number of reverse steps). */
  diffusionSteps: z.number().int().positive().nullable().optional(),
  /** Mean volume fraction of each phase over the training images (stats.json). */
  trainingFractions: z.array(z.number()).nullable().optional(),
})
export type ModelInfo = z.infer<typeof ModelInfo>

/** The core's defaults for the Generate view: reconstruction (DEFAULT_PARAMS) and design (DEFAULT_SDS_PARAMS). */
export const GenerateDefaults = z.object({
  reconstruct: z.object({
    seed: z.number().int(),
    sampler: z.enum(['ddim', 'ddpm']),
    steps: z.number().int(),
    harmonize: z.number().int(),
    gamma: z.number(),
    refine: z.number().int(),
    guidanceWeight: z.number(),
  }),
  design: z.object({ steps: z.number().int(), batch: z.number().int() }),
})
export type GenerateDefaults = z.infer<typeof GenerateDefaults>

/** One entry of a design job's loss history: each term's loss ℓ_k (before weights) and its batch measure. */
export const DesignHistoryEntry = z.object({
  step: z.number().int(),
  seconds: z.number(),
  losses: z.record(z.string(), z.number()),
  measures: z.record(z.string(), z.number()),
})
export type DesignHistoryEntry = z.infer<typeof DesignHistoryEntry>

/** A volume file format the backend reads or writes (core/io SUPPORTED_FORMATS). */
export const FileFormat = z.object({
  id: z.string(),
  extensions: z.array(z.string()),
  read: z.boolean(),
  write: z.boolean(),
  description: z.string(),
})
export type FileFormat = z.infer<typeof FileFormat>

/** One stored line of a job's log (the project database keeps the last 2000 of each job). */
export const JobLogLine = z.object({ seq: z.number().int(), time: z.string(), line: z.string() })
export type JobLogLine = z.infer<typeof JobLogLine>

/** ONNX Runtime execution providers the user can pick (`directml` is ORT's `dml`). */
export const ExecutionProviderSetting = z.enum(['auto', 'cuda', 'directml', 'coreml', 'cpu'])
export type ExecutionProviderSetting = z.infer<typeof ExecutionProviderSetting>

const SettingsFields = {
  provider: ExecutionProviderSetting,
  /** Threads inside one ONNX operator; 0 = one per core. */
  threads: z.number().int().min(0).max(256),
  /** Python executable for training; '' = MICROLAD_PYTHON, then python3, then python. */
  pythonPath: z
    .string()
    .max(4096)
    .refine((s) => !/[\n\r\0]/.test(s), 'one line without control characters'),
}

/** App-level settings (userData/settings.json), not per project. */
export const AppSettings = z.object({
  provider: SettingsFields.provider.default('auto'),
  threads: SettingsFields.threads.default(0),
  pythonPath: SettingsFields.pythonPath.default(''),
})
export type AppSettings = z.infer<typeof AppSettings>

/** A change to some settings (settings.set); the others keep their values. */
export const AppSettingsPatch = z
  .object({
    provider: SettingsFields.provider.optional(),
    threads: SettingsFields.threads.optional(),
    pythonPath: SettingsFields.pythonPath.optional(),
  })
  .strict()

/** Whether the Python trainer can run here, and what to install when it cannot. */
export const TrainerStatus = z.object({
  ok: z.boolean(),
  executable: z.string().nullable(),
  pythonVersion: z.string().nullable(),
  torchVersion: z.string().nullable(),
  cuda: z.boolean(),
  /** Why training is unavailable; null when ok. */
  error: z.string().nullable(),
  /** The command that installs what the trainer needs. */
  install: z.string(),
})
export type TrainerStatus = z.infer<typeof TrainerStatus>

/** A bundle's manifest, training provenance and statistics summary (models.get). */
export const ModelDetails = z.object({
  info: ModelInfo,
  manifest: z.record(z.string(), z.unknown()).nullable(),
  /** Training-patch statistics per plane tag and phase (stats.json summarised). */
  statistics: z
    .array(
      z.object({
        plane: z.string(),
        phase: z.number().int(),
        volumeFraction: z.object({ mean: z.number(), std: z.number() }),
        surfaceArea: z.object({ mean: z.number(), std: z.number() }).nullable(),
      }),
    )
    .nullable(),
  /** How the bundle came into the project (models table), null for shipped bundles. */
  origin: z.enum(['imported', 'trained']).nullable(),
  manifestSha256: z.string().nullable(),
})
export type ModelDetails = z.infer<typeof ModelDetails>
