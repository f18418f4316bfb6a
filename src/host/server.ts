/**
 * The web host: serves the built renderer and the same API as the Electron app, over a WebSocket, on the
 * loopback interface only. Used by the end-to-end tests (headless Chromium) and for remote use through an
 * SSH tunnel. Volume bytes are plain HTTP: GET /vox/volumes/<id>.
 *
 * Who may talk to it (docs/reliability.md, "Web host"):
 * - every request must name this host as 127.0.0.1:PORT, localhost:PORT or [::1]:PORT in its Host header
 *   (421 otherwise), so a page whose DNS name was re-bound to 127.0.0.1 is refused;
 * - the WebSocket (/api) must come from the host's own origin and carry this launch's random token
 *   (`?token=`, the one in the page URL the host prints); 403 otherwise, before the upgrade;
 * - volume bytes (/vox/) need the same token (header `x-microlad-token` or `?token=`);
 * - static files are served only from inside the renderer folder.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { errorMessage } from '../core/errors'
import { MAX_MESSAGE_BYTES } from '../main/api/dispatch'
import type { Backend } from '../main/backend'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
}

/** The header a page sends the token in when it fetches volume bytes. */
export const TOKEN_HEADER = 'x-microlad-token'

export interface WebHost {
  /** The page to open: http://127.0.0.1:PORT/?token=… (the token is required by the API). */
  url: string
  /** http://127.0.0.1:PORT, without the token. */
  origin: string
  port: number
  /** This launch's access token. */
  token: string
  close(): Promise<void>
}

export async function startWebHost(
  backend: Backend,
  opts: { port: number; rendererDir: string; token?: string },
): Promise<WebHost> {
  const root = path.resolve(opts.rendererDir)
  const token = opts.token ?? randomBytes(32).toString('base64url')
  let port = 0
  const server = http.createServer((req, res) => {
    const refused = refuseHost(req, port)
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'text/plain; charset=utf-8' }).end(refused.message)
      return
    }
    handleHttp(backend, root, token, req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(errorMessage(err))
    })
  })
  // Frames far above the request limit are cut by ws itself (close 1009); up to it, a typed error answers.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_MESSAGE_BYTES })
  wss.on('connection', (ws) => attachSocket(backend, ws))
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const refused = refuseUpgrade(req, port, token)
    if (refused) {
      const body = Buffer.from(refused.message)
      socket.end(
        `HTTP/1.1 ${refused.status} ${http.STATUS_CODES[refused.status]}\r\n` +
          'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
          `Content-Length: ${body.byteLength}\r\n\r\n${refused.message}`,
      )
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

interface Refusal {
  status: number
  message: string
}

/** The Host header values this host answers to (lower case). */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
}

/** 421 unless the Host header names this host on the loopback interface (defeats DNS rebinding). */
function refuseHost(req: http.IncomingMessage, port: number): Refusal | null {
  const host = (req.headers.host ?? '').toLowerCase()
  if (allowedHosts(port).includes(host)) return null
  return {
    status: 421,
    message: `this host answers only to ${allowedHosts(port).join(', ')}`,
  }
}

/** Why a WebSocket upgrade is refused, or null: path /api, a loopback Host, the host's own Origin, the token. */
function refuseUpgrade(req: http.IncomingMessage, port: number, token: string): Refusal | null {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  if (url.pathname !== '/api') return { status: 404, message: 'no such endpoint' }
  const host = refuseHost(req, port)
  if (host) return host
  // Only pages served by this host may talk to it (blocks other web pages from driving the API).
  if (req.headers.origin?.toLowerCase() !== `http://${req.headers.host?.toLowerCase()}`)
    return { status: 403, message: 'origin not allowed' }
  if (!tokenMatches(url.searchParams.get('token'), token))
    return { status: 403, message: 'missing or wrong token: open the URL the web host printed' }
  return null
}

function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.byteLength === b.byteLength && timingSafeEqual(a, b)
}

function attachSocket(backend: Backend, ws: WebSocket): void {
  const unsubscribe = backend.events.subscribe((event, payload) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }))
  })
  ws.on('close', unsubscribe)
  // ws reports a protocol violation (e.g. a frame over maxPayload) as an 'error' on this socket and then
  // closes it (1009 for size); without a listener that error would be uncaught and end the host.
  ws.on('error', () => {})
  const refuse = (message: string) =>
    ws.send(JSON.stringify({ id: null, ok: false, error: { message, userError: true } }))
  ws.on('message', async (data: Buffer | ArrayBuffer | Buffer[]) => {
    const size = Array.isArray(data)
      ? data.reduce((n, b) => n + b.byteLength, 0)
      : (data as { byteLength: number }).byteLength
    if (size > MAX_MESSAGE_BYTES) return refuse(`request refused: larger than ${MAX_MESSAGE_BYTES} bytes`)
    let msg: { id?: unknown; method?: unknown; input?: unknown }
    try {
      msg = JSON.parse(String(data))
    } catch {
      return refuse('malformed request (not JSON)')
    }
    // JSON that is not an object ("null", 42, a list) has no method: the dispatcher refuses it, typed.
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) msg = {}
    const reply = await backend.dispatch(msg.method, msg.input)
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id ?? null, ...reply }))
  })
}

/**
 * The file a request path names inside `root`, or null when it would leave it (`..`, an encoded slash, a
 * sibling folder whose name starts like root's, a NUL byte, a symbolic link pointing outside).
 */
export function confinedPath(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const file = path.resolve(root, `.${path.sep}${decoded}`)
  if (!inside(root, file)) return null
  if (existsSync(file)) {
    try {
      if (!inside(realpathSync(root), realpathSync(file))) return null
    } catch {
      return null
    }
  }
  return file
}

function inside(root: string, file: string): boolean {
  const rel = path.relative(root, file)
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))
}

async function handleHttp(
  backend: Backend,
  root: string,
  token: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const vox = /^\/vox\/volumes\/(\d+)$/.exec(url.pathname)
  if (vox) {
    const given = req.headers[TOKEN_HEADER]
    if (!tokenMatches(typeof given === 'string' ? given : url.searchParams.get('token'), token)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('missing or wrong token')
      return
    }
    try {
      const bytes = await backend.volumeBytes(Number(vox[1]))
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength })
      res.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    } catch (err) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end(errorMessage(err))
    }
    return
  }
  let file = confinedPath(root, url.pathname)
  if (file === null) {
    res.writeHead(403).end()
    return
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(root, 'index.html')
  if (!existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain' })
    res.end('the renderer is not built: run npm run build')
    return
  }
  res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
}
