import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { JobInfo, JobKind } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'

/** Log lines are pushed live and not kept by the backend; the session keeps them across a renderer reload. */
const LOG_KEY = 'microlad.jobLogs'
const MAX_LOG_LINES = 200

function savedLogs(): Record<number, string[]> {
  try {
    return JSON.parse(sessionStorage.getItem(LOG_KEY) ?? '{}') as Record<number, string[]>
  } catch {
    return {}
  }
}

export const useJobsStore = defineStore('jobs', () => {
  const jobs = ref<JobInfo[]>([])
  const logs = ref<Record<number, string[]>>(savedLogs())
  const error = ref<string | null>(null)

  async function refresh() {
    try {
      jobs.value = await invoke('jobs.list', {})
      error.value = null
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  function upsert(job: JobInfo) {
    const i = jobs.value.findIndex((j) => j.id === job.id)
    if (i >= 0) jobs.value[i] = job
    else jobs.value.unshift(job)
  }

  async function start(kind: JobKind, params: Record<string, unknown>): Promise<JobInfo | null> {
    try {
      const job = await invoke('jobs.start', { kind, params })
      upsert(job)
      return job
    } catch (e) {
      error.value = (e as Error).message
      return null
    }
  }

  async function cancel(id: number) {
    try {
      upsert(await invoke('jobs.cancel', { id }))
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  onEvent('job', upsert)
  onEvent('job.log', ({ jobId, line }) => {
    logs.value[jobId] = [...(logs.value[jobId] ?? []), line].slice(-MAX_LOG_LINES)
    try {
      sessionStorage.setItem(LOG_KEY, JSON.stringify(logs.value))
    } catch {
      // storage full or unavailable: the live log still shows
    }
  })
  return { jobs, logs, error, refresh, start, cancel }
})
