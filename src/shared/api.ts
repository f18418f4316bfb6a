/**
 * The one API contract of MicroLad Studio. Implemented once in src/main (createApiHandlers) and carried
 * three ways: Electron IPC through the preload, the web host over WebSocket, and in-process calls (CLI,
 * tests). Every request is validated with these schemas where it arrives in the main process.
 */
import { z } from 'zod'
import {
  AppInfo,
  AppSettings,
  AppSettingsPatch,
  DatasetInfo,
  DesignHistoryEntry,
  ExecutionProviderSetting,
  FileFormat,
  GenerateDefaults,
  JobInfo,
  JobKind,
  JobLogLine,
  MeasurementInfo,
  ModelDetails,
  ModelInfo,
  ProjectSummary,
  RecentProject,
  TrainerStatus,
  VolumeInfo,
} from './dto'
import { CropRequest, ExportDatasetRequest, GreyPreviewInfo } from './datasets'
import { ValidationInfo } from './validation'

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output }
}

const Empty = z.object({}).strict()
const Id = z.object({ id: z.number().int().positive() }).strict()
const PathString = z.string().min(1).max(4096)

export const apiMethods = {
  'app.info': method(Empty, AppInfo),

  'projects.recent': method(Empty, z.array(RecentProject)),
  'projects.create': method(
    z.object({ dir: PathString, name: z.string().min(1).max(200) }).strict(),
    ProjectSummary,
  ),
  'projects.open': method(z.object({ dir: PathString }).strict(), ProjectSummary),
  'projects.current': method(Empty, ProjectSummary.nullable()),
  'projects.close': method(Empty, z.null()),
  /** Open the demo project in the app's data folder, creating it (with its dataset excerpt) when missing. */
  'projects.demo': method(Empty, ProjectSummary),

  'datasets.list': method(Empty, z.array(DatasetInfo)),
  'datasets.create': method(
    z.object({ name: z.string().min(1).max(200), anisotropic: z.boolean().default(false) }).strict(),
    DatasetInfo,
  ),
  /** Greyscale preview (≤ 512 px) and 256-bin histogram of an image file, for segmentation before import. */
  'datasets.previewImage': method(z.object({ path: PathString }).strict(), GreyPreviewInfo),
  /** Cut a volume into N×N (2D) or N³ patches with a stride, stored as volumes of a dataset (a 'crop' job). */
  'datasets.crop': method(CropRequest, JobInfo),
  /** Write a dataset's images as a folder the trainer reads (an 'export-dataset' job). */
  'datasets.export': method(ExportDatasetRequest, JobInfo),

  'volumes.list': method(Empty, z.array(VolumeInfo)),
  'volumes.get': method(Id, VolumeInfo),
  'volumes.delete': method(Id, z.null()),

  'models.list': method(Empty, z.array(ModelInfo)),
  /** The core's default reconstruction and design parameters (the Generate view's form). */
  'models.defaults': method(Empty, GenerateDefaults),
  /** Manifest, training provenance and statistics of one bundle (id and source as models.list gives them). */
  'models.get': method(
    z.object({ id: z.string().min(1).max(200), source: z.enum(['shipped', 'project', 'path']) }).strict(),
    ModelDetails,
  ),
  /** Copy a bundle folder or .zip into the project's models folder after checking it. */
  'models.import': method(z.object({ path: PathString }).strict(), ModelInfo),
  /**
   * Whether the Python trainer (Python + torch) is available, with the install command when not; with
   * `pythonPath`, checks that Python (the path typed in Settings) instead of the saved one.
   */
  'models.trainer': method(z.object({ pythonPath: z.string().max(4096).optional() }).strict(), TrainerStatus),

  /**
   * Validation reports of a model (newest first), stored by 'validate' jobs (params: ValidateJobParams in
   * shared/validation.ts); `source` narrows to one bundle source.
   */
  'validations.list': method(
    z
      .object({
        modelId: z.string().min(1).max(200),
        source: z.enum(['shipped', 'project', 'path']).optional(),
      })
      .strict(),
    z.array(ValidationInfo),
  ),

  'settings.get': method(Empty, AppSettings),
  /** Settings refuses a provider this machine cannot use, naming the reason. */
  'settings.set': method(AppSettingsPatch, AppSettings),
  /** Every execution provider Settings offers, with whether this machine can use it and why not. */
  'settings.providers': method(
    Empty,
    z.array(
      z.object({ id: ExecutionProviderSetting, available: z.boolean(), reason: z.string().nullable() }),
    ),
  ),

  'measurements.list': method(
    z.object({ volumeId: z.number().int().positive() }).strict(),
    z.array(MeasurementInfo),
  ),

  'io.formats': method(Empty, z.array(FileFormat)),

  'jobs.list': method(Empty, z.array(JobInfo)),
  'jobs.get': method(Id, JobInfo),
  'jobs.start': method(
    z.object({ kind: JobKind, params: z.record(z.string(), z.unknown()) }).strict(),
    JobInfo,
  ),
  'jobs.cancel': method(Id, JobInfo),
  /** Stored log lines of a job (the last 2000), after line number `after` when given. */
  'jobs.logs': method(
    z.object({ id: z.number().int().positive(), after: z.number().int().min(-1).optional() }).strict(),
    z.array(JobLogLine),
  ),
} as const

export type ApiMethods = typeof apiMethods
export type MethodName = keyof ApiMethods
export type MethodInput<M extends MethodName> = z.input<ApiMethods[M]['input']>
export type MethodParsedInput<M extends MethodName> = z.output<ApiMethods[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<ApiMethods[M]['output']>

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, name)
}

/** Events pushed from the main process to every client. */
export const apiEvents = {
  /** A job changed: status, progress, message. Throttled to ~10 Hz per job. */
  job: JobInfo,
  /** A job wrote a line to its log. */
  'job.log': z.object({ jobId: z.number().int(), line: z.string() }),
  /** A design job logged new entries of its per-term loss history (live loss curves). */
  'job.history': z.object({ jobId: z.number().int(), entries: z.array(DesignHistoryEntry) }),
  /** Project contents changed (a volume, dataset or measurement was added or removed). */
  'project.changed': z.object({ what: z.enum(['project', 'datasets', 'volumes', 'measurements', 'models']) }),
} as const
export type ApiEvents = typeof apiEvents
export type EventName = keyof ApiEvents
export type EventPayload<E extends EventName> = z.output<ApiEvents[E]>

/** What every transport offers the renderer. */
export interface MicroladClient {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  readonly transport: 'electron' | 'web' | 'in-process'
}

export type { ApiErrorPayload, PreloadBridge } from './bridge'
export { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, VOLUME_SCHEME } from './bridge'
