import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import JobsView from '../../src/renderer/src/views/JobsView.vue'
import { job, mockClient, type MockClient } from './mock-client'

let client: MockClient

beforeEach(() => {
  sessionStorage.clear()
  setActivePinia(createPinia())
  client = mockClient({
    'jobs.list': () => [
      job({
        id: 2,
        kind: 'reconstruct',
        status: 'running',
        progress: 0.4,
        message: 'sample 20/50',
        etaSeconds: 90,
      }),
      job({ id: 1, kind: 'import', status: 'failed', error: 'image.png: no such file' }),
    ],
    'jobs.cancel': ({ id }: { id: number }) => job({ id, kind: 'reconstruct', status: 'cancelled' }),
  } as never)
  setApiClient(client)
})

describe('Jobs table', () => {
  it('lists the jobs from the backend with status, progress, ETA and errors', async () => {
    const w = mount(JobsView)
    await flushPromises()
    const running = w.get('[data-testid="job-2"]')
    expect(running.text()).toContain('running')
    expect(running.text()).toContain('2 min left')
    expect(running.get('progress').attributes('value')).toBe('0.4')
    expect(w.get('[data-testid="job-1"]').text()).toContain('image.png: no such file')
    expect(w.find('[data-testid="cancel-1"]').exists()).toBe(false)
  })

  it('cancels a running job and shows the new status', async () => {
    const w = mount(JobsView)
    await flushPromises()
    await w.get('[data-testid="cancel-2"]').trigger('click')
    await flushPromises()
    expect(client.calls.at(-1)).toEqual({ method: 'jobs.cancel', input: { id: 2 } })
    expect(w.get('[data-testid="job-2"]').text()).toContain('cancelled')
    expect(w.find('[data-testid="job-details"]').exists()).toBe(false)
  })

  it('shows a job’s log lines pushed as events, and keeps them across a reload', async () => {
    const w = mount(JobsView)
    await flushPromises()
    client.emit('job.log', { jobId: 2, line: 'loaded the model' })
    client.emit('job.log', { jobId: 2, line: 'provider cpu' })
    client.emit('job', job({ id: 2, kind: 'reconstruct', status: 'succeeded', result: { volumeIds: [5] } }))
    await w.get('[data-testid="job-2"]').trigger('click')
    expect(w.get('[data-testid="job-log"]').text()).toBe('loaded the model\nprovider cpu')
    expect(w.get('[data-testid="job-details"]').text()).toContain('volumeIds')
    expect(w.get('[data-testid="job-2"]').text()).toContain('succeeded')

    setActivePinia(createPinia())
    const again = mount(JobsView)
    await flushPromises()
    await again.get('[data-testid="job-2"]').trigger('click')
    expect(again.get('[data-testid="job-log"]').text()).toBe('loaded the model\nprovider cpu')
  })
})
