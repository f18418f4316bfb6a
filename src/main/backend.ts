/**
 * Assemble the backend every transport shares: app context + API handlers + validated dispatcher + events.
 */
import { readVolume } from '../core/io'
import { createDispatcher, inProcessInvoke, type Dispatcher } from './api/dispatch'
import { createApiHandlers } from './api/handlers'
import { AppContext, type AppContextOptions } from './app-context'
import { EventHub } from './event-hub'

export interface Backend {
  app: AppContext
  events: EventHub
  dispatch: Dispatcher
  invoke: ReturnType<typeof inProcessInvoke>
  /** Raw uint8 labels (C order z,y,x) of a project volume, for the vox:// protocol and the /vox/ route. */
  volumeBytes(id: number): Promise<Uint8Array>
}

export function createBackend(options: Omit<AppContextOptions, 'emit'>): Backend {
  const events = new EventHub()
  const app = new AppContext({ ...options, emit: events.emit })
  const dispatch = createDispatcher(createApiHandlers(app))
  return {
    app,
    events,
    dispatch,
    invoke: inProcessInvoke(dispatch),
    async volumeBytes(id) {
      const rec = app.requireProject().getVolume(id)
      return (await readVolume(rec.path)).data
    },
  }
}
