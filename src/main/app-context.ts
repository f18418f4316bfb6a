/**
 * The state the API implementation works on: the open project, its job runner, recent projects and the
 * hooks each transport supplies (how to launch job processes, how volume URLs look, how events reach clients).
 * No Electron import: the same context serves the Electron app, the web host, the CLI and the tests.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { UserError } from '../core/errors'
import type { EventName, EventPayload } from '../shared/api'
import type { RecentProject } from '../shared/dto'
import { JobRunner } from './jobs/job-runner'
import type { JobLauncher } from './jobs/launcher'
import { Project } from './project/project'

export interface AppContextOptions {
  userDataDir: string
  transport: 'electron' | 'web' | 'in-process'
  launcher: JobLauncher
  /** URL of a volume's raw labels as the renderer of this transport fetches it. */
  volumeUrl: (id: number) => string
  emit: <E extends EventName>(event: E, payload: EventPayload<E>) => void
}

export interface AppSettings {
  threads?: number
  provider?: 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml'
  pythonPath?: string
}

export class AppContext {
  project: Project | null = null
  runner: JobRunner | null = null

  constructor(readonly options: AppContextOptions) {
    mkdirSync(options.userDataDir, { recursive: true })
  }

  private get recentFile(): string {
    return path.join(this.options.userDataDir, 'recent-projects.json')
  }

  private get settingsFile(): string {
    return path.join(this.options.userDataDir, 'settings.json')
  }

  settings(): AppSettings {
    try {
      return JSON.parse(readFileSync(this.settingsFile, 'utf8')) as AppSettings
    } catch {
      return {}
    }
  }

  saveSettings(s: AppSettings): void {
    writeFileSync(this.settingsFile, JSON.stringify(s, null, 2))
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
      () => {
        const s = this.settings()
        return { threads: s.threads, provider: s.provider }
      },
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
    return this.attach(Project.open(dir))
  }

  closeProject(): void {
    this.runner?.shutdown()
    this.project?.close()
    this.project = null
    this.runner = null
  }
}
