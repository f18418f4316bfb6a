/**
 * The renderer's one way to reach the backend: the preload bridge under Electron, a WebSocket to the web
 * host in a browser. Both speak the same contract (src/shared/api.ts).
 */
import type {
  ApiErrorPayload,
  EventName,
  EventPayload,
  MethodInput,
  MethodName,
  MethodOutput,
  MicroladClient,
  PreloadBridge,
} from '../../../shared/api'

export class ApiError extends Error {
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message)
  }
}

type Listener = (payload: unknown) => void

function electronClient(bridge: PreloadBridge): MicroladClient {
  return {
    transport: 'electron',
    async invoke(method, input) {
      const r = await bridge.invoke(method, input)
      if (!r.ok) throw new ApiError(r.error.message, r.error.userError)
      return r.result as never
    },
    on(event, listener) {
      return bridge.on(event, listener as Listener)
    },
  }
}

/** WebSocket transport: requests carry an id; replies and pushed events come back on the same socket. */
export function webSocketClient(url: string): MicroladClient {
  let ws: WebSocket | null = null
  let ready: Promise<WebSocket> | null = null
  let nextId = 1
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  const listeners = new Map<string, Set<Listener>>()

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready
    ready = new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      socket.onopen = () => {
        ws = socket
        resolve(socket)
      }
      socket.onerror = () => reject(new ApiError(unreachableMessage(url), true))
      socket.onclose = () => {
        ready = null
        ws = null
        for (const p of pending.values()) p.reject(new ApiError('connection to the web host closed', true))
        pending.clear()
      }
      socket.onmessage = (e) => {
        const msg = JSON.parse(String(e.data)) as
          | { id: number; ok: true; result: unknown }
          | { id: number; ok: false; error: ApiErrorPayload }
          | { event: string; payload: unknown }
        if ('event' in msg) {
          listeners.get(msg.event)?.forEach((l) => l(msg.payload))
          return
        }
        const p = pending.get(msg.id)
        if (!p) return
        pending.delete(msg.id)
        if (msg.ok) p.resolve(msg.result)
        else p.reject(new ApiError(msg.error.message, msg.error.userError))
      }
    })
    return ready
  }

  return {
    transport: 'web',
    async invoke(method, input) {
      const socket = ws ?? (await connect())
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
        socket.send(JSON.stringify({ id, method, input }))
      })
    },
    on(event, listener) {
      void connect()
      const set = listeners.get(event) ?? new Set<Listener>()
      set.add(listener as Listener)
      listeners.set(event, set)
      return () => set.delete(listener as Listener)
    },
  }
}

/** The web host's socket URL without its token (for messages: the token is not shown). */
function unreachableMessage(url: string): string {
  const u = new URL(url)
  const hadToken = u.searchParams.has('token')
  u.search = ''
  return hadToken
    ? `cannot reach the MicroLad web host at ${u.href}`
    : `cannot reach the MicroLad web host at ${u.href}: open the full URL it printed (with ?token=…)`
}

/**
 * The web host's per-launch access token, from the page URL (`http://127.0.0.1:PORT/?token=…`; the
 * fragment is the router's). Null under Electron or when the page was opened without it.
 */
export function webHostToken(search: string = location.search): string | null {
  return new URLSearchParams(search).get('token') || null
}

/** The web host's API socket for the page at `loc`, with the page's token. */
export function webSocketUrl(loc: { host: string; search: string } = location): string {
  const token = webHostToken(loc.search)
  return `ws://${loc.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`
}

let client: MicroladClient | null = null

export function api(): MicroladClient {
  if (client) return client
  const bridge = (window as unknown as { microlad?: PreloadBridge }).microlad
  client = bridge ? electronClient(bridge) : webSocketClient(webSocketUrl())
  return client
}

export function setApiClient(c: MicroladClient): void {
  client = c
}

export const invoke = <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> =>
  api().invoke(method, input)

export const onEvent = <E extends EventName>(
  event: E,
  listener: (p: EventPayload<E>) => void,
): (() => void) => api().on(event, listener)

/**
 * Fetch a volume's raw labels from the URL the backend gave (vox:// under Electron, /vox/ from the web
 * host, which wants the page's token).
 */
export async function fetchVolumeBytes(url: string): Promise<Uint8Array> {
  const token = url.startsWith('/') && typeof location !== 'undefined' ? webHostToken() : null
  const res = await fetch(url, token ? { headers: { 'x-microlad-token': token } } : undefined)
  if (!res.ok) throw new ApiError(`could not load the volume (${res.status}): ${await res.text()}`, true)
  return new Uint8Array(await res.arrayBuffer())
}
