/**
 * What a view says, where an action was taken, about the job the action started: busy while it is queued
 * or running, the job's one-line error once it failed, and what it made once it succeeded.
 */
import type { JobInfo } from '../../../shared/dto'
import { inAppWords } from './app-words'

export interface JobOutcome {
  state: 'busy' | 'failed' | 'done'
  text: string
}

export function jobOutcome(job: JobInfo, words: { busy: string; done: string; failed?: string }): JobOutcome {
  if (job.status === 'queued' || job.status === 'running')
    return {
      state: 'busy',
      text: `${words.busy}…${job.message && job.status === 'running' ? ` (${job.message})` : ''}`,
    }
  if (job.status === 'succeeded') return { state: 'done', text: words.done }
  if (job.status === 'cancelled') return { state: 'failed', text: `${words.failed ?? words.busy}: cancelled` }
  return {
    state: 'failed',
    text: `${words.failed ?? 'failed'}: ${inAppWords(job.error ?? 'the job failed')}`,
  }
}
