/**
 * End to end through the web host: headless Chromium loads the built renderer from 127.0.0.1, the app
 * calls the API over the WebSocket bridge, and every view renders. Screenshots go to
 * test-artifacts/screenshots/.
 */
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WebHost } from '../../src/host/server'
import { tempDir } from '../helpers'
import { SCREENSHOTS, e2eMissing, startE2eSession, type E2eSession } from './browser'

const missing = e2eMissing()
if (missing && process.env.CI) throw new Error(`end-to-end tests cannot run on CI: ${missing}`)

describe.skipIf(missing !== null)(
  `web host in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let host: WebHost
    let browser: Browser
    let session: E2eSession | undefined
    const t = tempDir('microlad-e2e-')

    beforeAll(async () => {
      session = await startE2eSession(t.dir)
      ;({ host, browser } = session)
    })

    afterAll(async () => {
      await session?.close()
      t.cleanup()
    })

    it('serves on loopback with a token in the page URL and refuses a foreign WebSocket origin', async () => {
      expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/)
      const { WebSocket } = await import('ws')
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, {
          origin: 'http://evil.example',
        })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('open', () => resolve(101))
        ws.on('error', () => {})
      })
      expect(status).toBe(403)
    })

    it('a page opened without the token cannot reach the API', async () => {
      const page = await browser.newPage()
      await page.goto(`${host.origin}/`)
      const opened = await page.evaluate(
        (url) =>
          new Promise<boolean>((resolve) => {
            const ws = new WebSocket(url)
            ws.onopen = () => resolve(true)
            ws.onerror = () => resolve(false)
          }),
        `ws://127.0.0.1:${host.port}/api`,
      )
      expect(opened).toBe(false)
      await page.close()
    })

    it('loads the app, calls the API over the WebSocket and shows the result', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(host.url)
      const info = page.getByTestId('app-info')
      await expect
        .poll(async () => (await info.textContent()) ?? '', { timeout: 20_000 })
        .toContain('transport web')
      await page.getByTestId('new-project-dir').fill(path.join(t.dir, 'project'))
      await page.getByTestId('new-project-name').fill('E2E project')
      await page.getByTestId('create-project').click()
      await expect
        .poll(async () => (await page.getByTestId('current-project').textContent()) ?? '', {
          timeout: 20_000,
        })
        .toContain('E2E project')
      await page.screenshot({ path: path.join(SCREENSHOTS, 'projects.png') })
      expect(errors).toEqual([])
      await page.close()
    })

    it('renders the seven views', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(host.url)
      for (const view of ['Projects', 'Datasets', 'Models', 'Generate', 'Jobs', 'Results', 'Compare']) {
        await page.getByTestId(`nav-${view}`).click()
        await page.getByTestId(`view-${view.toLowerCase()}`).waitFor({ timeout: 20_000 })
        await page.screenshot({ path: path.join(SCREENSHOTS, `${view.toLowerCase()}.png`) })
      }
      expect(errors).toEqual([])
      await page.close()
    })
  },
)
