import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { DesignHistoryEntry, JobInfo, JobKind } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'
import { mergeHistory, resultHistory } from '../lib/design-history'

/** Log lines are pushed live and not kept by the backend; the session keeps them across a renderer reload. */
const LOG_KEY = 'microlad.jobLogs'
const MAX_LOG_LINES = 200
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled'])

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
  /** Loss-history entries of design jobs pushed live while they run (`job.history`). */
  const histories = ref<Record<number, DesignHistoryEntry[]>>({})
  const { error, run } = useAsyncAction()

  async function refresh() {
    await run(async () => {
      jobs.value = await invoke('jobs.list', {})
    })
  }

  function upsert(job: JobInfo) {
    const i = jobs.value.findIndex((j) => j.id === job.id)
    if (i >= 0) jobs.value[i] = job
    else jobs.value.unshift(job)
  }

  async function start(kind: JobKind, params: Record<string, unknown>): Promise<JobInfo | null> {
    const job = await run(() => invoke('jobs.start', { kind, params }))
    if (job) upsert(job)
    return job
  }

  async function cancel(id: number) {
    const job = await run(() => invoke('jobs.cancel', { id }))
    if (job) upsert(job)
  }

  /**
   * Follow a job a view started (its outcome is shown where the action was taken): record it, and ask for
   * its state every `everyMs` until it ends, so a missed event never leaves a view saying "running…".
   */
  function track(job: JobInfo, everyMs = 1500) {
    upsert(job)
    const poll = async () => {
      const known = jobs.value.find((j) => j.id === job.id)
      if (known && TERMINAL.has(known.status)) return
      try {
        upsert(await invoke('jobs.get', { id: job.id }))
      } catch {
        // the project closed or the host went away: the view keeps what it knows
        return
      }
      setTimeout(() => void poll(), everyMs)
    }
    setTimeout(() => void poll(), everyMs)
  }

  /** A design job's loss history: the full one from its result once done, else the entries seen live. */
  function historyOf(job: JobInfo): DesignHistoryEntry[] {
    return resultHistory(job.result) ?? histories.value[job.id] ?? []
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
  onEvent('job.history', ({ jobId, entries }) => {
    histories.value[jobId] = mergeHistory(histories.value[jobId] ?? [], entries)
  })
  return { jobs, logs, histories, error, refresh, start, cancel, track, historyOf }
})
