import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { AppInfo, ProjectSummary, RecentProject } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

export const useProjectStore = defineStore('project', () => {
  const info = ref<AppInfo | null>(null)
  const current = ref<ProjectSummary | null>(null)
  const recent = ref<RecentProject[]>([])
  const { error, run: act } = useAsyncAction()

  async function refresh() {
    await act(async () => {
      info.value = await invoke('app.info', {})
      current.value = await invoke('projects.current', {})
      recent.value = await invoke('projects.recent', {})
    })
  }

  async function run(action: () => Promise<ProjectSummary>) {
    const summary = await act(action)
    if (summary) {
      current.value = summary
      await refresh()
    }
  }

  const create = (dir: string, name: string) => run(() => invoke('projects.create', { dir, name }))
  const open = (dir: string) => run(() => invoke('projects.open', { dir }))

  onEvent('project.changed', () => void refresh())
  return { info, current, recent, error, refresh, create, open }
})
