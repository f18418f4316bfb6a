/**
 * The state the API implementation works on: the open project, its job runner, recent projects and the
 * hooks each transport supplies (how to launch job processes, how volume URLs look, how events reach clients).
 * No Electron import: the same context serves the Electron app, the web host, the CLI and the tests.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../core/errors'
import type { EventName, EventPayload } from '../shared/api'
import type { AppSettings, RecentProject } from '../shared/dto'
import { JobRunner } from './jobs/job-runner'
import type { JobLauncher } from './jobs/launcher'
import { DEMO_FOLDER, openOrCreateDemoProject } from './project/demo'
import { removeStaleImports } from './project/models'
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

  recent(): RecentProject[] {
    try {
      const list = JSON.parse(readFileSync(this.recentFile, 'utf8')) as RecentProject[]
      return list.filter((p) => existsSync(path.join(p.dir, 'project.sqlite')))
    } catch {
      return []
    }
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

  createProject(dir: string, name: string): Project {
    return this.attach(Project.create(dir, name))
  }

  openProject(dir: string): Project {
    if (this.project && path.resolve(dir) === this.project.dir) return this.project
    const project = Project.open(dir)
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
