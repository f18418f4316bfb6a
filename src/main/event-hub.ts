import type { EventName, EventPayload } from '../shared/api'

type Listener = (event: EventName, payload: unknown) => void

/** Fan-out of API events to every connected client of a transport. */
export class EventHub {
  private listeners = new Set<Listener>()

  emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    for (const l of this.listeners) l(event, payload)
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
