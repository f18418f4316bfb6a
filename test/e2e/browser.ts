import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import type { Backend } from '../../src/main/backend'
import { startWebHost, type WebHost } from '../../src/host/server'
import { makeTestBackend } from '../backend-helpers'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const RENDERER_DIR = path.resolve(__dirname, '..', '..', 'out', 'renderer')
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'screenshots')

/** Why the browser tests cannot run here, or null when they can. On CI a missing piece is a failure. */
export function e2eMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium)`
  if (!existsSync(path.join(RENDERER_DIR, 'index.html')))
    return `renderer not built at ${RENDERER_DIR} (npm run build)`
  return null
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface E2eSession {
  backend: Backend
  host: WebHost
  browser: Browser
  /** Close the browser, the host and the open project (the caller removes `dir`). */
  close(): Promise<void>
}

/** A web host on a free loopback port over a backend whose user data lives in `dir`, plus headless Chromium. */
export async function startE2eSession(dir: string): Promise<E2eSession> {
  const backend = makeTestBackend(dir, { transport: 'web' })
  const host = await startWebHost(backend, { port: 0, rendererDir: RENDERER_DIR })
  const browser = await launchChromium()
  return {
    backend,
    host,
    browser,
    async close() {
      await browser.close()
      await host.close()
      backend.app.closeProject()
    },
  }
}
