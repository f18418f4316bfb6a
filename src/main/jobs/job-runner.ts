/**
 * Runs jobs in separate processes, one at a time by default (the solvers and ONNX Runtime use every core),
 * records each in the project database (status, progress, timings, error text) and pushes events to
 * clients. A job process that crashes or is killed marks its job failed; the app keeps working.
 */
import { existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import { UserError, errorMessage } from '../../core/errors'
import { AppSettings, type DesignHistoryEntry, type JobInfo, type JobKind } from '../../shared/dto'
import { nowIso } from '../db/database'
import type { Project } from '../project/project'
import { jobSettings } from '../settings/settings'
import type { JobLauncher, JobProcessHandle } from './launcher'
import { JobMessage, JobOutcome } from './protocol'

export interface JobRunnerEvents {
  job(info: JobInfo): void
  log(jobId: number, line: string): void
  /** New loss-history entries of a design job. */
  history?(jobId: number, entries: DesignHistoryEntry[]): void
  outputsRecorded(jobId: number): void
}

interface ActiveJob {
  id: number
  handle: JobProcessHandle
  startedAt: number
  progress: number
  cancelRequested: boolean
  settled: boolean
  lastEmit: number
}

/** How the runner asks for the app settings (read when each job starts, so a change applies to the next job). */
export type SettingsSource = () => AppSettings

export class JobRunner {
  private queue: number[] = []
  private active = new Map<number, ActiveJob>()
  private idleWaiters: (() => void)[] = []
  private disposed = false

  /** Next line number of each job's stored log. */
  private logSeq = new Map<number, number>()

  constructor(
    private project: Project,
    private launcher: JobLauncher,
    private events: JobRunnerEvents,
    private settings: SettingsSource = () => AppSettings.parse({}),
    private concurrency = 1,
  ) {}

  start(kind: JobKind, params: Record<string, unknown>): JobInfo {
    if (params.volumeId !== undefined) {
      if (typeof params.volumeId !== 'number')
        throw new UserError(`job parameter 'volumeId' must be a number`)
      this.project.getVolume(params.volumeId)
    }
    const job = this.project.insertJob(kind, params)
    this.queue.push(job.id)
    this.events.job(job)
    this.pump()
    return this.info(job.id)
  }

  info(id: number): JobInfo {
    const job = this.project.getJob(id)
    const a = this.active.get(id)
    if (a && a.progress > 0.02) {
      const elapsed = (Date.now() - a.startedAt) / 1000
      job.etaSeconds = Math.max(0, (elapsed * (1 - a.progress)) / a.progress)
    }
    return job
  }

  cancel(id: number): JobInfo {
    const queued = this.queue.indexOf(id)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      this.project.updateJob(id, {
        status: 'cancelled',
        finishedAt: nowIso(),
        message: 'cancelled before it started',
      })
      this.log(id, 'cancelled before it started')
    } else {
      const a = this.active.get(id)
      if (!a) {
        const job = this.project.getJob(id)
        throw new UserError(`job ${id} is not running (status: ${job.status})`)
      }
      a.cancelRequested = true
      a.handle.kill()
    }
    const info = this.info(id)
    this.events.job(info)
    return info
  }

  /** Resolves when no job is queued or running (tests, CLI, shutdown). */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.active.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /**
   * Kill every running job (project closed, app quit). Their records are marked cancelled now, while the
   * database is still open; events from the dying processes are ignored afterwards.
   */
  shutdown(): void {
    for (const id of [...this.queue]) this.cancel(id)
    for (const a of this.active.values()) {
      a.cancelRequested = true
      // A job whose outcome is already recorded (its process is only exiting) keeps its status.
      if (!a.settled) this.finish(a.id, 'cancelled', { message: 'cancelled: the project was closed' })
      a.handle.kill()
    }
    this.active.clear()
    this.disposed = true
    this.idleWaiters.splice(0).forEach((w) => w())
  }

  private pump(): void {
    while (this.active.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!
      this.launch(id)
    }
    if (this.queue.length === 0 && this.active.size === 0) {
      const waiters = this.idleWaiters.splice(0)
      for (const w of waiters) w()
    }
  }

  /**
   * Record a log line in the project database (bounded per job by the schema) and push it to clients. A
   * database error never stops the job: the line is still pushed.
   */
  log(jobId: number, line: string): void {
    if (this.disposed) return
    try {
      const seq = this.logSeq.get(jobId) ?? this.project.nextLogSeq(jobId)
      this.project.appendJobLog(jobId, seq, line)
      this.logSeq.set(jobId, seq + 1)
    } catch {
      // the project may be closing; the live event still reaches the window
    }
    this.events.log(jobId, line)
  }

  /**
   * The parameters a job process gets: the stored ones plus what only the main process knows (file paths of
   * project volumes and dataset images, the configured Python). Not written back to the database.
   */
  private launchParams(job: JobInfo): Record<string, unknown> {
    const params: Record<string, unknown> = { ...job.params }
    if (typeof job.params.volumeId === 'number')
      params.volumePath = this.project.getVolume(job.params.volumeId).path
    // A validate job's reference may be a project volume: the job process gets its file.
    if (job.kind === 'validate' && typeof job.params.referenceVolumeId === 'number')
      params.referencePath = this.project.getVolume(job.params.referenceVolumeId).path
    if (job.kind === 'train') {
      if (typeof job.params.datasetId === 'number') {
        const d = this.project.getDataset(job.params.datasetId)
        params.dataset = {
          name: d.name,
          anisotropic: d.anisotropic,
          images: d.images.map((i) => {
            const v = this.project.getVolume(i.volumeId)
            return { path: v.path, plane: i.plane, phases: v.phases, shape: v.shape }
          }),
        }
      }
      if (typeof params.pythonPath !== 'string' || !params.pythonPath) {
        const py = this.settings().pythonPath
        if (py) params.pythonPath = py
      }
    }
    return params
  }

  private launch(id: number): void {
    const job = this.project.getJob(id)
    let handle: JobProcessHandle
    try {
      handle = this.launcher()
    } catch (err) {
      this.finish(id, 'failed', { error: `could not start the job process: ${errorMessage(err)}` })
      return
    }
    const a: ActiveJob = {
      id,
      handle,
      startedAt: Date.now(),
      progress: 0,
      cancelRequested: false,
      settled: false,
      lastEmit: 0,
    }
    this.active.set(id, a)
    this.project.updateJob(id, { status: 'running', startedAt: nowIso(), message: 'starting' })
    this.events.job(this.info(id))
    handle.onMessage((raw) => this.onMessage(a, raw))
    handle.onExit((code) => this.onExit(a, code))
    // The job process never reads the database: paths it needs come with its parameters.
    let params: Record<string, unknown>
    try {
      params = this.launchParams(job)
    } catch (err) {
      a.settled = true
      this.finish(id, 'failed', { error: errorMessage(err) })
      handle.kill()
      return
    }
    const settings = jobSettings(this.settings(), job.params)
    this.log(
      id,
      `started ${job.kind} job` +
        (settings.provider || settings.threads
          ? ` (provider ${settings.provider ?? 'auto'}, threads ${settings.threads ?? 'auto'})`
          : ''),
    )
    handle.send({ type: 'run', jobId: id, kind: job.kind, params, projectDir: this.project.dir, settings })
  }

  private onMessage(a: ActiveJob, raw: unknown): void {
    if (this.disposed) return
    const parsed = JobMessage.safeParse(raw)
    if (!parsed.success) {
      this.log(a.id, `ignored a malformed message from the job process`)
      return
    }
    const msg = parsed.data
    switch (msg.type) {
      case 'progress': {
        a.progress = msg.fraction
        this.project.updateJob(a.id, { progress: msg.fraction, message: msg.message ?? null })
        const now = Date.now()
        if (now - a.lastEmit > 100 || msg.fraction >= 1) {
          a.lastEmit = now
          this.events.job(this.info(a.id))
        }
        break
      }
      case 'log':
        this.log(a.id, msg.line)
        break
      case 'history':
        this.events.history?.(a.id, msg.entries)
        break
      case 'done':
        this.recordOutcome(a, msg.outcome)
        break
      case 'error':
        a.settled = true
        this.finish(a.id, 'failed', { error: msg.message })
        break
    }
  }

  /** Record the job's outputs and mark it succeeded, all in one transaction. */
  private recordOutcome(a: ActiveJob, raw: unknown): void {
    a.settled = true
    try {
      const outcome = JobOutcome.parse(raw)
      const db = this.project.db
      db.transaction(() => {
        const volumeIds: number[] = []
        for (const v of outcome.volumes) {
          const rec = this.project.addVolume({
            name: v.name,
            path: v.path,
            shape: v.shape,
            spacing: v.spacing,
            unit: v.unit,
            phases: v.phases,
            source: v.source,
            jobId: a.id,
            datasetId: v.datasetId,
          })
          volumeIds.push(rec.id)
          if (v.datasetId !== null) this.project.addImage(v.datasetId, rec.id, v.plane, v.sourcePath)
        }
        for (const m of outcome.measurements) {
          const volumeId = m.volumeId ?? (m.volumeIndex !== null ? volumeIds[m.volumeIndex] : null) ?? null
          this.project.addMeasurement(volumeId, m.kind, m.params, m.result, a.id)
        }
        const validationIds = outcome.validations.map((v) =>
          this.project.addValidation({ ...v, jobId: a.id }),
        )
        const modelIds: number[] = []
        for (const m of outcome.models)
          modelIds.push(this.project.addModel(m.bundleName, m.path, m.manifest, m.source))
        if (outcome.run) {
          const job = this.project.getJob(a.id)
          this.project.addRun({
            jobId: a.id,
            kind: job.kind,
            ...outcome.run,
            targets: outcome.run.targets ?? null,
            timings: outcome.run.timings ?? null,
          })
        }
        this.project.updateJob(a.id, {
          status: 'succeeded',
          progress: 1,
          finishedAt: nowIso(),
          message: 'done',
          result: {
            ...(outcome.result as object),
            volumeIds,
            ...(modelIds.length ? { modelIds } : {}),
            ...(validationIds.length ? { validationIds } : {}),
          },
        })
      })()
      this.log(a.id, 'succeeded')
      this.events.outputsRecorded(a.id)
      this.events.job(this.info(a.id))
    } catch (err) {
      this.finish(a.id, 'failed', { error: `the job's result could not be recorded: ${errorMessage(err)}` })
    }
  }

  private onExit(a: ActiveJob, code: number | null): void {
    if (this.disposed) return
    this.active.delete(a.id)
    if (a.cancelRequested) {
      const job = this.project.getJob(a.id)
      if (job.status === 'running') this.finish(a.id, 'cancelled', { message: 'cancelled' })
    } else if (!a.settled) {
      this.finish(a.id, 'failed', {
        error: `the job process stopped unexpectedly (exit code ${code ?? 'none'}); the project is unchanged`,
      })
    }
    // A killed train job cannot clean up after itself: remove its working folder (checkpoints, partial bundle).
    const work = path.join(this.project.dir, 'models', `.train-job${a.id}`)
    if (existsSync(work)) rmSync(work, { recursive: true, force: true })
    // Nor can a killed or failed job remove a volume file it wrote but never reported, or a temporary file.
    try {
      const job = this.project.getJob(a.id)
      if (job.status !== 'succeeded') this.project.removeJobLeftovers(job)
    } catch {
      // the project is closing; its next open removes them
    }
    this.pump()
  }

  private finish(
    id: number,
    status: 'failed' | 'cancelled',
    fields: { error?: string; message?: string },
  ): void {
    this.project.updateJob(id, {
      status,
      finishedAt: nowIso(),
      error: fields.error ?? null,
      message: fields.message ?? status,
    })
    this.log(id, fields.error ? `${status}: ${fields.error}` : (fields.message ?? status))
    this.events.job(this.info(id))
  }
}
