/**
 * The state the API implementation works on: the open project, its job runner, recent projects and the
 * hooks each transport supplies (how to launch job processes, how volume URLs look, how events reach clients).
 * No Electron import: the same context serves the Electron app, the web host, the CLI and the tests.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../core/errors'
import type { EventName, EventPayload } from '../shared/api'
import type { AppSettings, RecentProject } from '../shared/dto'
import { JobRunner } from './jobs/job-runner'
import type { JobLauncher } from './jobs/launcher'
import { DEMO_FOLDER, openOrCreateDemoProject } from './project/demo'
import { removeStaleImports } from './project/models'
import { projectFolder } from './project/paths'
import { Project } from './project/project'
import { SettingsStore } from './settings/settings'

export interface AppContextOptions {
  userDataDir: string
  transport: 'electron' | 'web' | 'in-process'
  launcher: JobLauncher
  /** URL of a volume's raw labels as the renderer of this transport fetches it. */
  volumeUrl: (id: number) => string
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void
}

export class AppContext {
  project: Project | null = null
  runner: JobRunner | null = null

  readonly settingsStore: SettingsStore

  constructor(readonly options: AppContextOptions) {
    mkdirSync(options.userDataDir, { recursive: true })
    this.settingsStore = new SettingsStore(options.userDataDir)
  }

  private get recentFile(): string {
    return path.join(this.options.userDataDir, 'recent-projects.json')
  }

  /** App-level settings (userData/settings.json), validated; defaults when absent. */
  settings(): AppSettings {
    return this.settingsStore.get()
  }

  saveSettings(patch: Partial<AppSettings>): AppSettings {
    return this.settingsStore.set(patch)
  }

  /** Recent projects, newest first; entries whose folder (or its project.sqlite) is gone are pruned from the file. */
  recent(): RecentProject[] {
    let list: RecentProject[]
    try {
      list = JSON.parse(readFileSync(this.recentFile, 'utf8')) as RecentProject[]
      if (!Array.isArray(list)) return []
    } catch {
      return []
    }
    const kept = list.filter(
      (p) => typeof p?.dir === 'string' && existsSync(path.join(p.dir, 'project.sqlite')),
    )
    if (kept.length !== list.length) {
      try {
        writeFileSync(this.recentFile, JSON.stringify(kept, null, 2))
      } catch {
        // a read-only data folder: the list is still pruned for this answer
      }
    }
    return kept
  }

  private remember(project: Project): void {
    const list = this.recent().filter((p) => p.dir !== project.dir)
    list.unshift({ dir: project.dir, name: project.name, openedAt: new Date().toISOString() })
    writeFileSync(this.recentFile, JSON.stringify(list.slice(0, 12), null, 2))
  }

  requireProject(): Project {
    if (!this.project) throw new UserError('no project is open: create or open a project first')
    return this.project
  }

  requireRunner(): JobRunner {
    this.requireProject()
    return this.runner!
  }

  private attach(project: Project): Project {
    this.closeProject()
    this.project = project
    const emit = this.options.emit
    this.runner = new JobRunner(
      project,
      this.options.launcher,
      {
        job: (info) => emit('job', info),
        log: (jobId, line) => emit('job.log', { jobId, line }),
        history: (jobId, entries) => emit('job.history', { jobId, entries }),
        outputsRecorded: () => emit('project.changed', { what: 'volumes' }),
      },
      () => this.settings(),
    )
    this.remember(project)
    emit('project.changed', { what: 'project' })
    return project
  }

  /**
   * New project: the folder the user chose (a full path) is created if needed, but only that folder: its
   * parent must exist, so a mistyped path never makes a tree of folders somewhere unexpected.
   */
  createProject(dir: string, name: string): Project {
    const abs = projectFolder(dir)
    if (!name.trim()) throw new UserError('a project needs a name')
    const parent = path.dirname(abs)
    if (!existsSync(abs)) {
      const st = statSync(parent, { throwIfNoEntry: false })
      if (!st?.isDirectory())
        throw new UserError(
          `cannot create the project folder '${abs}': '${parent}' does not exist; create it first or choose another folder`,
        )
    } else if (!statSync(abs).isDirectory()) {
      throw new UserError(`cannot create a project at '${abs}': it is a file, not a folder`)
    }
    return this.attach(Project.create(abs, name.trim()))
  }

  /** Open an existing project; a folder without one is refused (nothing is created: that is New project). */
  openProject(dir: string): Project {
    const abs = projectFolder(dir)
    if (this.project && abs === this.project.dir) return this.project
    if (!existsSync(abs))
      throw new UserError(`'${abs}' does not exist; to start a project there, use New project`)
    const project = Project.open(abs)
    removeStaleImports(project)
    return this.attach(project)
  }

  /** Where the demo project lives: the app's data folder. */
  get demoParentDir(): string {
    return this.options.userDataDir
  }

  /** Open the demo project (userData/MicroLad Demo), creating it with the shipped dataset excerpt if needed. */
  async openDemoProject(): Promise<Project> {
    if (this.project && this.project.dir === path.resolve(this.demoParentDir, DEMO_FOLDER))
      return this.project
    const project = await openOrCreateDemoProject(this.demoParentDir)
    removeStaleImports(project)
    return this.attach(project)
  }

  /**
   * Start-up: reopen the most recent project whose folder is still there. Returns whether it did; never
   * throws (a project that cannot open is left in Recent and the app starts with none open).
   */
  reopenLastProject(): boolean {
    if (this.project) return false
    const last = this.recent()[0]
    if (!last) return false
    try {
      this.openProject(last.dir)
      return true
    } catch (err) {
      process.stderr.write(`MicroLad: could not reopen ${last.dir}: ${(err as Error).message}\n`)
      return false
    }
  }

  /**
   * First start: with no project open and no recent project, open the demo project so that a new user has a
   * dataset and the shipped models at hand. Returns whether it did; never throws (the app starts anyway).
   */
  async openDemoOnFirstStart(): Promise<boolean> {
    if (this.project || this.recent().length > 0) return false
    try {
      await this.openDemoProject()
      return true
    } catch (err) {
      process.stderr.write(`MicroLad: could not create the demo project: ${(err as Error).message}\n`)
      return false
    }
  }

  closeProject(): void {
    this.runner?.shutdown()
    this.project?.close()
    this.project = null
    this.runner = null
  }
}
