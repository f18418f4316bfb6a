/** A MicroladClient for component tests: canned replies per method, recorded calls, events pushed by hand. */
import type { EventName, EventPayload, MethodName, MicroladClient } from '../../src/shared/api'
import type { JobInfo } from '../../src/shared/dto'

type Reply = (input: unknown) => unknown

export interface MockClient extends MicroladClient {
  calls: { method: MethodName; input: unknown }[]
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void
}

export function mockClient(replies: Partial<Record<MethodName, Reply>>): MockClient {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const calls: MockClient['calls'] = []
  return {
    transport: 'in-process',
    calls,
    async invoke(method, input) {
      calls.push({ method, input })
      const reply = replies[method]
      if (!reply) throw new Error(`no mock reply for ${method}`)
      return reply(input) as never
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (p: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (p: unknown) => void)
    },
    emit(event, payload) {
      listeners.get(event)?.forEach((l) => l(payload))
    },
  }
}

export function job(over: Partial<JobInfo> & Pick<JobInfo, 'id'>): JobInfo {
  return {
    kind: 'synth',
    params: {},
    status: 'succeeded',
    progress: 1,
    message: null,
    error: null,
    result: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    etaSeconds: null,
    ...over,
  }
}
