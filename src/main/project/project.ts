/**
 * A MicroLad project: a folder holding project.sqlite (metadata, provenance, measurements) and subfolders
 * for the bulk files (volumes/, datasets/, models/). All writes to the database go through this class, in
 * transactions; bulk files are written atomically before the rows that point to them.
 */
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  promises as fs,
} from 'node:fs'
import path from 'node:path'
import { UserError } from '../../core/errors'
import type {
  DatasetInfo,
  JobInfo,
  JobKind,
  JobLogLine,
  JobStatus,
  MeasurementInfo,
  PhaseInfo,
  ProjectSummary,
} from '../../shared/dto'
import { closeDatabase, nowIso, openDatabase, type Db } from '../db/database'
import type { ValidationInfo } from '../../shared/validation'

export const PROJECT_DB = 'project.sqlite'
export const APP_VERSION = '0.1.0'

export interface VolumeRecord {
  id: number
  name: string
  path: string
  shape: [number, number, number]
  spacing: [number, number, number]
  unit: string
  phases: PhaseInfo[]
  source: 'import' | 'synth' | 'reconstruct' | 'design' | 'dataset'
  jobId: number | null
  datasetId: number | null
  createdAt: string
}

export type NewVolume = Omit<VolumeRecord, 'id' | 'createdAt'>

interface JobRow {
  id: number
  kind: JobKind
  params: string
  status: JobStatus
  progress: number
  message: string | null
  error: string | null
  result: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

interface VolumeRow {
  id: number
  name: string
  path: string
  shape: string
  spacing: string
  unit: string
  phases: string
  source: VolumeRecord['source']
  job_id: number | null
  dataset_id: number | null
  created_at: string
}

export class Project {
  private constructor(
    readonly dir: string,
    readonly db: Db,
  ) {}

  static create(dir: string, name: string): Project {
    const abs = path.resolve(dir)
    if (existsSync(path.join(abs, PROJECT_DB))) throw new UserError(`${abs}: a project already exists there`)
    mkdirSync(abs, { recursive: true })
    const project = new Project(abs, openDatabase(path.join(abs, PROJECT_DB)))
    project.db
      .prepare('INSERT INTO project (id, name, created_at, app_version) VALUES (1, ?, ?, ?)')
      .run(name, nowIso(), APP_VERSION)
    project.ensureFolders()
    return project
  }

  static open(dir: string): Project {
    const abs = path.resolve(dir)
    const file = path.join(abs, PROJECT_DB)
    if (!existsSync(file)) throw new UserError(`${abs}: not a MicroLad project (no ${PROJECT_DB})`)
    // The database (its journal beside it) and the jobs' files are written in the folder: refuse a read-only
    // one before anything is touched.
    try {
      accessSync(abs, fsConstants.W_OK)
      accessSync(file, fsConstants.W_OK)
    } catch {
      throw new UserError(
        `${abs}: the project folder is read-only (MicroLad writes ${PROJECT_DB} and its files there); copy the project to a folder you can write to`,
      )
    }
    // SQLite takes an empty file for a new database and would write a fresh schema into it.
    const size = statSync(file).size
    if (size < 100)
      throw new UserError(`${file}: the project database is damaged or truncated (${size} bytes, no header)`)
    const project = new Project(abs, openDatabase(file))
    if (!project.db.prepare('SELECT 1 FROM project WHERE id = 1').get()) {
      project.close()
      throw new UserError(`${file}: project database has no project record`)
    }
    project.ensureFolders()
    const interrupted = project.db
      .prepare(`SELECT id FROM jobs WHERE status IN ('queued', 'running')`)
      .all() as { id: number }[]
    project.recoverInterruptedJobs()
    project.removeLeftovers(interrupted.map((r) => project.getJob(r.id)))
    return project
  }

  private ensureFolders(): void {
    for (const sub of ['volumes', 'datasets', 'models', 'exports'])
      mkdirSync(path.join(this.dir, sub), { recursive: true })
  }

  /** Jobs left queued or running by a previous session (app killed, crash) can never finish: mark them failed. */
  recoverInterruptedJobs(): number {
    const r = this.db
      .prepare(
        `UPDATE jobs SET status = 'failed', error = 'interrupted: the app or its job process stopped before the job ended',
         finished_at = ? WHERE status IN ('queued', 'running')`,
      )
      .run(nowIso())
    return r.changes
  }

  /**
   * Remove what killed jobs left on disk (called when the project opens, when no job of it runs): temporary
   * files of atomic writes (`.NAME.PID.TIME.tmp`) and job-written volume files (`…-jobN-…`) that no volume row
   * records in volumes/, and the temporary files next to the output of each interrupted job.
   */
  removeLeftovers(interrupted: Pick<JobInfo, 'id' | 'kind' | 'params'>[] = []): string[] {
    const removed = this.removeUnrecordedVolumeFiles(() => true)
    for (const job of interrupted) removed.push(...this.removeJobLeftovers(job))
    return removed
  }

  /**
   * Remove the files one failed or killed job left: its unrecorded volume files and temporary files in
   * volumes/, and an export's temporary file beside its output (the finished output, if any, is complete).
   */
  removeJobLeftovers(job: Pick<JobInfo, 'id' | 'kind' | 'params'>): string[] {
    const tag = `-job${job.id}-`
    const removed = this.removeUnrecordedVolumeFiles((name) => name.includes(tag))
    if (typeof job.params.output === 'string') {
      const target = this.resolve(job.params.output)
      const prefix = `.${path.basename(target)}.`
      for (const name of safeReaddir(path.dirname(target)))
        if (name.startsWith(prefix) && name.endsWith('.tmp'))
          removed.push(removeFile(path.join(path.dirname(target), name)))
    }
    return removed
  }

  private removeUnrecordedVolumeFiles(matches: (name: string) => boolean): string[] {
    const dir = path.join(this.dir, 'volumes')
    const recorded = new Set(
      (this.db.prepare('SELECT path FROM volumes').all() as { path: string }[]).map((r) =>
        path.resolve(this.resolve(r.path)),
      ),
    )
    const removed: string[] = []
    for (const name of safeReaddir(dir)) {
      if (!matches(name)) continue
      const file = path.join(dir, name)
      const temporary = name.startsWith('.') && name.endsWith('.tmp')
      if (temporary || (/-job\d+-/.test(name) && !recorded.has(file))) removed.push(removeFile(file))
    }
    return removed
  }

  close(): void {
    closeDatabase(this.db)
  }

  get name(): string {
    return (this.db.prepare('SELECT name FROM project WHERE id = 1').get() as { name: string }).name
  }

  summary(): ProjectSummary {
    const row = this.db.prepare('SELECT name, created_at FROM project WHERE id = 1').get() as {
      name: string
      created_at: string
    }
    const count = (table: string) =>
      (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
    return {
      dir: this.dir,
      name: row.name,
      createdAt: row.created_at,
      counts: {
        datasets: count('datasets'),
        volumes: count('volumes'),
        jobs: count('jobs'),
        models: count('models'),
      },
    }
  }

  // ---- files

  /** Absolute path for a new bulk file inside the project (relative paths are stored in the database). */
  newFilePath(sub: 'volumes' | 'datasets' | 'models' | 'exports', base: string, ext: string): string {
    const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'file'
    const stamp = Date.now().toString(36) + Math.random().toString(36).slice(2, 6)
    return path.join(this.dir, sub, `${safe}-${stamp}${ext}`)
  }

  resolve(relOrAbs: string): string {
    return path.isAbsolute(relOrAbs) ? relOrAbs : path.join(this.dir, relOrAbs)
  }

  private relative(abs: string): string {
    const rel = path.relative(this.dir, abs)
    return rel.startsWith('..') ? abs : rel
  }

  // ---- volumes

  addVolume(v: NewVolume): VolumeRecord {
    const createdAt = nowIso()
    const r = this.db
      .prepare(
        `INSERT INTO volumes (name, path, shape, spacing, unit, phases, source, job_id, dataset_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        v.name,
        this.relative(v.path),
        JSON.stringify(v.shape),
        JSON.stringify(v.spacing),
        v.unit,
        JSON.stringify(v.phases),
        v.source,
        v.jobId,
        v.datasetId,
        createdAt,
      )
    return this.getVolume(Number(r.lastInsertRowid))
  }

  private volumeFromRow(r: VolumeRow): VolumeRecord {
    return {
      id: r.id,
      name: r.name,
      path: this.resolve(r.path),
      shape: JSON.parse(r.shape),
      spacing: JSON.parse(r.spacing),
      unit: r.unit,
      phases: JSON.parse(r.phases),
      source: r.source,
      jobId: r.job_id,
      datasetId: r.dataset_id,
      createdAt: r.created_at,
    }
  }

  listVolumes(): VolumeRecord[] {
    return (this.db.prepare('SELECT * FROM volumes ORDER BY id DESC').all() as VolumeRow[]).map((r) =>
      this.volumeFromRow(r),
    )
  }

  getVolume(id: number): VolumeRecord {
    const row = this.db.prepare('SELECT * FROM volumes WHERE id = ?').get(id) as VolumeRow | undefined
    if (!row) throw new UserError(`volume ${id} does not exist in this project`)
    return this.volumeFromRow(row)
  }

  async deleteVolume(id: number): Promise<void> {
    const v = this.getVolume(id)
    this.db.prepare('DELETE FROM volumes WHERE id = ?').run(id)
    await fs.rm(v.path, { force: true })
  }

  // ---- datasets

  createDataset(name: string, anisotropic: boolean): DatasetInfo {
    const r = this.db
      .prepare('INSERT INTO datasets (name, anisotropic, created_at) VALUES (?, ?, ?)')
      .run(name, anisotropic ? 1 : 0, nowIso())
    return this.getDataset(Number(r.lastInsertRowid))
  }

  addImage(
    datasetId: number,
    volumeId: number,
    plane: 'xy' | 'xz' | 'yz' | null,
    sourcePath: string | null,
  ): void {
    this.db
      .prepare(
        'INSERT INTO images (dataset_id, volume_id, plane, class_label, source_path, created_at) VALUES (?, ?, ?, NULL, ?, ?)',
      )
      .run(datasetId, volumeId, plane, sourcePath, nowIso())
  }

  getDataset(id: number): DatasetInfo {
    const d = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as
      { id: number; name: string; anisotropic: number; created_at: string } | undefined
    if (!d) throw new UserError(`dataset ${id} does not exist in this project`)
    const images = this.db
      .prepare(
        'SELECT id, volume_id, plane, class_label, source_path FROM images WHERE dataset_id = ? ORDER BY id',
      )
      .all(id) as {
      id: number
      volume_id: number
      plane: DatasetInfo['images'][0]['plane']
      class_label: string | null
      source_path: string | null
    }[]
    return {
      id: d.id,
      name: d.name,
      anisotropic: d.anisotropic === 1,
      createdAt: d.created_at,
      images: images.map((i) => ({
        id: i.id,
        volumeId: i.volume_id,
        plane: i.plane,
        classLabel: i.class_label,
        sourcePath: i.source_path,
      })),
    }
  }

  listDatasets(): DatasetInfo[] {
    const ids = this.db.prepare('SELECT id FROM datasets ORDER BY id').all() as { id: number }[]
    return ids.map((r) => this.getDataset(r.id))
  }

  // ---- measurements

  addMeasurement(
    volumeId: number | null,
    kind: string,
    params: unknown,
    result: unknown,
    jobId: number | null,
  ): number {
    const r = this.db
      .prepare(
        'INSERT INTO measurements (volume_id, kind, params, result, job_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(volumeId, kind, JSON.stringify(params), JSON.stringify(result), jobId, nowIso())
    return Number(r.lastInsertRowid)
  }

  listMeasurements(volumeId: number): MeasurementInfo[] {
    const rows = this.db
      .prepare('SELECT * FROM measurements WHERE volume_id = ? ORDER BY id DESC')
      .all(volumeId) as {
      id: number
      volume_id: number | null
      kind: string
      params: string
      result: string
      created_at: string
    }[]
    return rows.map((r) => ({
      id: r.id,
      volumeId: r.volume_id,
      kind: r.kind,
      params: JSON.parse(r.params),
      result: JSON.parse(r.result),
      createdAt: r.created_at,
    }))
  }

  // ---- jobs

  insertJob(kind: JobKind, params: Record<string, unknown>): JobInfo {
    const r = this.db
      .prepare(`INSERT INTO jobs (kind, params, status, progress, created_at) VALUES (?, ?, 'queued', 0, ?)`)
      .run(kind, JSON.stringify(params), nowIso())
    return this.getJob(Number(r.lastInsertRowid))
  }

  updateJob(
    id: number,
    fields: Partial<{
      status: JobStatus
      progress: number
      message: string | null
      error: string | null
      result: unknown
      startedAt: string
      finishedAt: string
    }>,
  ): void {
    const sets: string[] = []
    const values: unknown[] = []
    const put = (col: string, v: unknown) => {
      sets.push(`${col} = ?`)
      values.push(v)
    }
    if (fields.status !== undefined) put('status', fields.status)
    if (fields.progress !== undefined) put('progress', fields.progress)
    if (fields.message !== undefined) put('message', fields.message)
    if (fields.error !== undefined) put('error', fields.error)
    if (fields.result !== undefined) put('result', JSON.stringify(fields.result))
    if (fields.startedAt !== undefined) put('started_at', fields.startedAt)
    if (fields.finishedAt !== undefined) put('finished_at', fields.finishedAt)
    if (sets.length === 0) return
    this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id)
  }

  private jobFromRow(r: JobRow): JobInfo {
    return {
      id: r.id,
      kind: r.kind,
      params: JSON.parse(r.params),
      status: r.status,
      progress: r.progress,
      message: r.message,
      error: r.error,
      result: r.result === null ? null : JSON.parse(r.result),
      createdAt: r.created_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      etaSeconds: null,
    }
  }

  getJob(id: number): JobInfo {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
    if (!row) throw new UserError(`job ${id} does not exist in this project`)
    return this.jobFromRow(row)
  }

  listJobs(limit = 200): JobInfo[] {
    return (this.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]).map((r) =>
      this.jobFromRow(r),
    )
  }

  addRun(run: {
    jobId: number
    kind: string
    model: string | null
    modelSha256: string | null
    params: unknown
    seed: number | null
    targets: unknown
    timings: unknown
  }): number {
    const r = this.db
      .prepare(
        `INSERT INTO runs (job_id, kind, model, model_sha256, params, seed, targets, software_version, timings, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.jobId,
        run.kind,
        run.model,
        run.modelSha256,
        JSON.stringify(run.params),
        run.seed,
        JSON.stringify(run.targets ?? null),
        APP_VERSION,
        JSON.stringify(run.timings ?? null),
        nowIso(),
      )
    return Number(r.lastInsertRowid)
  }

  // ---- job logs (the trigger of migration 2 keeps the last 2000 lines per job)

  /** The next line number of a job's log (0 for a job without lines). */
  nextLogSeq(jobId: number): number {
    const r = this.db.prepare('SELECT MAX(seq) AS m FROM job_logs WHERE job_id = ?').get(jobId) as {
      m: number | null
    }
    return r.m === null ? 0 : r.m + 1
  }

  appendJobLog(jobId: number, seq: number, line: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO job_logs (job_id, seq, time, line) VALUES (?, ?, ?, ?)')
      .run(jobId, seq, nowIso(), line.length > MAX_LOG_LINE ? line.slice(0, MAX_LOG_LINE) + ' …' : line)
  }

  jobLogs(jobId: number, after = -1): JobLogLine[] {
    this.getJob(jobId)
    return this.db
      .prepare('SELECT seq, time, line FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq')
      .all(jobId, after) as JobLogLine[]
  }

  // ---- validation reports of models (migration 3)

  addValidation(v: {
    modelId: string
    modelSource: string
    modelSha256: string | null
    jobId: number | null
    params: unknown
    report: unknown
  }): number {
    const r = this.db
      .prepare(
        `INSERT INTO validations (model_id, model_source, model_sha256, job_id, params, report, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        v.modelId,
        v.modelSource,
        v.modelSha256,
        v.jobId,
        JSON.stringify(v.params),
        JSON.stringify(v.report),
        nowIso(),
      )
    return Number(r.lastInsertRowid)
  }

  /** A model's validation reports, newest first (all sources when `source` is not given). */
  listValidations(modelId: string, source?: string): ValidationInfo[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM validations WHERE model_id = ? AND (? IS NULL OR model_source = ?) ORDER BY id DESC`,
      )
      .all(modelId, source ?? null, source ?? null) as {
      id: number
      model_id: string
      model_source: string
      model_sha256: string | null
      job_id: number | null
      params: string
      report: string
      created_at: string
    }[]
    return rows.map((r) => ({
      id: r.id,
      modelId: r.model_id,
      modelSource: r.model_source,
      modelSha256: r.model_sha256,
      jobId: r.job_id,
      params: JSON.parse(r.params),
      report: JSON.parse(r.report),
      createdAt: r.created_at,
    }))
  }

  // ---- model bundles copied into models/ (imported or trained here)

  addModel(bundleName: string, dir: string, manifest: unknown, source: 'imported' | 'trained'): number {
    const r = this.db
      .prepare('INSERT INTO models (bundle_name, path, manifest, source, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(bundleName, this.relative(dir), JSON.stringify(manifest), source, nowIso())
    return Number(r.lastInsertRowid)
  }

  /** How the bundle in `dir` came into the project (newest record), or null when no record names it. */
  modelOrigin(dir: string): 'imported' | 'trained' | null {
    const row = this.db
      .prepare('SELECT source FROM models WHERE path = ? OR path = ? ORDER BY id DESC LIMIT 1')
      .get(this.relative(path.resolve(dir)), path.resolve(dir)) as
      { source: 'imported' | 'trained' } | undefined
    return row?.source ?? null
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

/** Remove a file (a leftover: one that cannot be removed stays, and the next open tries again). */
function removeFile(file: string): string {
  try {
    rmSync(file, { force: true })
  } catch {
    // permission denied or the like
  }
  return file
}

/** Longest log line kept (a runaway line must not bloat the database). */
export const MAX_LOG_LINE = 4000
