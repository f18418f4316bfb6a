/**
 * The web host: serves the built renderer and the same API as the Electron app, over a WebSocket, on the
 * loopback interface only. Used by the end-to-end tests (headless Chromium) and for remote use through an
 * SSH tunnel. Volume bytes are plain HTTP: GET /vox/volumes/<id>.
 */
import { createReadStream, existsSync, statSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { errorMessage } from '../core/errors'
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

export interface WebHost {
  url: string
  port: number
  close(): Promise<void>
}

export async function startWebHost(
  backend: Backend,
  opts: { port: number; rendererDir: string },
): Promise<WebHost> {
  const root = path.resolve(opts.rendererDir)
  const server = http.createServer((req, res) => {
    handleHttp(backend, root, req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(errorMessage(err))
    })
  })
  const wss = new WebSocketServer({ server, path: '/api' })
  wss.on('connection', (ws, req) => {
    // Only pages served by this host may talk to it (blocks other local web pages from driving the API).
    const origin = req.headers.origin
    const host = req.headers.host
    if (origin && host && origin !== `http://${host}`) {
      ws.close(1008, 'origin not allowed')
      return
    }
    attachSocket(backend, ws)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.close(() => resolve())
      }),
  }
}

function attachSocket(backend: Backend, ws: WebSocket): void {
  const unsubscribe = backend.events.subscribe((event, payload) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }))
  })
  ws.on('close', unsubscribe)
  ws.on('message', async (data) => {
    let msg: { id?: unknown; method?: unknown; input?: unknown }
    try {
      msg = JSON.parse(String(data))
    } catch {
      ws.send(
        JSON.stringify({
          id: null,
          ok: false,
          error: { message: 'malformed request (not JSON)', userError: true },
        }),
      )
      return
    }
    const reply = await backend.dispatch(msg.method, msg.input)
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id ?? null, ...reply }))
  })
}

async function handleHttp(
  backend: Backend,
  root: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const vox = /^\/vox\/volumes\/(\d+)$/.exec(url.pathname)
  if (vox) {
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
  let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)))
  if (!file.startsWith(root)) {
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
