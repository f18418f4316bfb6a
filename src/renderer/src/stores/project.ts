import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo, ProjectSummary, RecentProject } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'

export const useProjectStore = defineStore('project', () => {
  const info = ref<AppInfo | null>(null)
  const current = ref<ProjectSummary | null>(null)
  const recent = ref<RecentProject[]>([])
  const error = ref<string | null>(null)

  async function refresh() {
    try {
      info.value = await invoke('app.info', {})
      current.value = await invoke('projects.current', {})
      recent.value = await invoke('projects.recent', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  async function run(action: () => Promise<ProjectSummary>) {
    try {
      current.value = await action()
      error.value = null
      await refresh()
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  const create = (dir: string, name: string) => run(() => invoke('projects.create', { dir, name }))
  const open = (dir: string) => run(() => invoke('projects.open', { dir }))

  onEvent('project.changed', () => void refresh())
  return { info, current, recent, error, refresh, create, open }
})
