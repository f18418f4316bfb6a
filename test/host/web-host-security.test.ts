/**
 * Who the web host answers (docs/reliability.md, "Web host"): forged Host headers (DNS rebinding), foreign
 * or missing WebSocket origins, a missing or wrong token, and static paths that try to leave the renderer
 * folder are refused; the host's own page still works. Plain node http / ws clients, a stub backend.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { confinedPath, startWebHost, type WebHost } from '../../src/host/server'
import type { Backend } from '../../src/main/backend'
import { tempDir } from '../helpers'

const VOLUME = new Uint8Array([0, 1, 1, 0, 2])
const SECRET = 'secret beside the renderer folder'

/** Just what the host uses of a backend: dispatch, events, volume bytes (volume 1 exists). */
function stubBackend(): Backend {
  return {
    events: { subscribe: () => () => {} },
    dispatch: async (method: unknown, input: unknown) => ({ ok: true, result: { method, input } }),
    volumeBytes: async (id: number) => {
      if (id !== 1) throw new Error(`no volume ${id}`)
      return VOLUME
    },
  } as unknown as Backend
}

interface Reply {
  status: number
  body: string
}

function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1') }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** A WebSocket upgrade request with exactly these headers: 101 when accepted, else the HTTP status. */
function upgrade(
  port: number,
  urlPath: string,
  headers: { host?: string; origin?: string } = {},
): Promise<number> {
  const h: Record<string, string> = {
    host: headers.host ?? `127.0.0.1:${port}`,
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    'sec-websocket-version': '13',
  }
  if (headers.origin !== undefined) h.origin = headers.origin
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, headers: h })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve(res.statusCode ?? 0)
    })
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('web host access checks', () => {
  const t = tempDir('microlad-host-')
  const root = path.join(t.dir, 'renderer')
  let host: WebHost
  let port: number
  let own: string

  beforeAll(async () => {
    mkdirSync(path.join(root, 'assets'), { recursive: true })
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>MicroLad</title>')
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)')
    // A sibling whose name starts with the renderer folder's: a bare startsWith(root) lets it through.
    mkdirSync(path.join(t.dir, 'renderer-evil'))
    writeFileSync(path.join(t.dir, 'renderer-evil', 'x'), SECRET)
    writeFileSync(path.join(t.dir, 'secret.txt'), SECRET)
    symlinkSync(path.join(t.dir, 'secret.txt'), path.join(root, 'link.txt'))
    host = await startWebHost(stubBackend(), { port: 0, rendererDir: root })
    port = host.port
    own = `http://127.0.0.1:${port}`
  })

  afterAll(async () => {
    await host?.close()
    t.cleanup()
  })

  it('prints a page URL with a long random token, different on each launch', async () => {
    expect(host.url).toBe(`${own}/?token=${host.token}`)
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    const other = await startWebHost(stubBackend(), { port: 0, rendererDir: root })
    expect(other.token).not.toBe(host.token)
    await other.close()
  })

  it('serves its page and volume bytes to loopback Host names with the token', async () => {
    for (const name of ['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST']) {
      const page = await get(port, '/', { host: `${name}:${port}` })
      expect(page.status, name).toBe(200)
      expect(page.body).toContain('<title>MicroLad</title>')
    }
    expect((await get(port, '/assets/app.js')).body).toBe('console.log(1)')
    const vox = await get(port, '/vox/volumes/1', { 'x-microlad-token': host.token })
    expect(vox.status).toBe(200)
    expect([...Buffer.from(vox.body, 'latin1')]).toEqual([...VOLUME])
    expect((await get(port, `/vox/volumes/1?token=${host.token}`)).status).toBe(200)
  })

  it('refuses HTTP requests whose Host is not a loopback name of this port (421)', async () => {
    const evil = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }
    expect((await get(port, '/', evil)).status).toBe(421)
    expect((await get(port, '/assets/app.js', evil)).status).toBe(421)
    const vox = await get(port, '/vox/volumes/1', { ...evil, 'x-microlad-token': host.token })
    expect(vox.status).toBe(421)
    expect(vox.body).not.toContain('\u0001')
    expect((await get(port, `/vox/volumes/1?token=${host.token}`, evil)).status).toBe(421)
    expect((await get(port, '/', { host: `127.0.0.1:${port + 1}` })).status).toBe(421)
    expect((await get(port, '/', { host: '127.0.0.1' })).status).toBe(421)
    expect((await get(port, '/', { host: `127.0.0.1.evil.example:${port}` })).status).toBe(421)
  })

  it('refuses volume bytes without the token or with a wrong one (403)', async () => {
    expect((await get(port, '/vox/volumes/1')).status).toBe(403)
    expect((await get(port, '/vox/volumes/1', { 'x-microlad-token': 'wrong' })).status).toBe(403)
    expect((await get(port, `/vox/volumes/1?token=${host.token}x`)).status).toBe(403)
  })

  it('refuses WebSocket upgrades with a foreign Host (421), Origin, path or token (403)', async () => {
    const api = `/api?token=${host.token}`
    expect(await upgrade(port, api, { origin: own })).toBe(101)
    expect(await upgrade(port, api, { host: `localhost:${port}`, origin: `http://localhost:${port}` })).toBe(
      101,
    )
    // DNS rebinding: the page's Origin matches its (forged) Host.
    expect(
      await upgrade(port, api, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }),
    ).toBe(421)
    expect(await upgrade(port, api, { origin: 'http://evil.example' })).toBe(403)
    expect(await upgrade(port, api, { origin: `http://localhost:${port}` })).toBe(403)
    expect(await upgrade(port, api, { origin: `https://127.0.0.1:${port}` })).toBe(403)
    expect(await upgrade(port, api, {})).toBe(403)
    expect(await upgrade(port, '/api', { origin: own })).toBe(403)
    expect(await upgrade(port, '/api?token=', { origin: own })).toBe(403)
    expect(await upgrade(port, `/api?token=${host.token.slice(1)}`, { origin: own })).toBe(403)
    expect(await upgrade(port, `/elsewhere?token=${host.token}`, { origin: own })).toBe(404)
  })

  it('answers API requests over an accepted WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${host.token}`, { origin: own })
    const reply = await new Promise<unknown>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ id: 7, method: 'app.info', input: {} })))
      ws.on('message', (data) => resolve(JSON.parse(String(data))))
      ws.on('error', reject)
    })
    ws.close()
    expect(reply).toEqual({ id: 7, ok: true, result: { method: 'app.info', input: {} } })
  })

  it('never serves a file outside the renderer folder', async () => {
    for (const p of [
      '/..%2frenderer-evil%2fx',
      '/%2e%2e%2frenderer-evil%2fx',
      '/assets%2f..%2f..%2frenderer-evil%2fx',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/link.txt',
      '/x%00.html',
      '/%E0%A4%A',
    ]) {
      const r = await get(port, p)
      expect(r.body, p).not.toContain(SECRET)
      expect(r.status, p).toBe(p === '/..%5csecret.txt' && path.sep === '/' ? 200 : 403)
    }
    // Plain ../ is resolved by the URL parser, inside the root: the page falls back to index.html.
    const dots = await get(port, '/../renderer-evil/x')
    expect(dots.body).not.toContain(SECRET)
  })

  it('confinedPath: separator-safe containment', () => {
    expect(confinedPath(root, '/index.html')).toBe(path.join(root, 'index.html'))
    expect(confinedPath(root, '/')).toBe(root)
    expect(confinedPath(root, '/..%2frenderer-evil%2fx')).toBeNull()
    expect(confinedPath(root, '/../renderer-evil/x')).toBeNull()
    expect(confinedPath(root, `/${'../'.repeat(8)}etc/passwd`)).toBeNull()
    expect(confinedPath(root, '/link.txt')).toBeNull()
    expect(confinedPath(root, '/..foo')).toBe(path.join(root, '..foo'))
  })
})
