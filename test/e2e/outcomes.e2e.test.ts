/**
 * Issue 19 in the browser (web host, headless Chromium): an action reports its outcome where it was taken.
 * A bad import shows its one-line error in the Datasets view, in the app's words; an export to a place that
 * cannot be written shows the reason in the Export dialog within seconds. Screenshots go to
 * test-artifacts/screenshots/ (outcomes-*.png).
 */
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Backend } from '../../src/main/backend'
import type { WebHost } from '../../src/host/server'
import { encodeNpy } from '../../src/core/io/npy'
import { makeVolume } from '../../src/core/volume/volume'
import { tempDir } from '../helpers'
import { SCREENSHOTS, e2eMissing, startE2eSession, type E2eSession } from './browser'
import { waitForJob } from '../backend-helpers'

const missing = e2eMissing()
if (missing && process.env.CI) throw new Error(`end-to-end tests cannot run on CI: ${missing}`)

/** A float .npy (what numpy.save writes for float32): grey values, not phase labels. */
function floatNpy(file: string) {
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4, 4), }"
  const header = dict + ' '.repeat(64 - ((10 + dict.length + 1) % 64)) + '\n'
  const body = Buffer.alloc(4 * 32)
  for (let i = 0; i < 32; i++) body.writeFloatLE(0.5 + i / 64, 4 * i)
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0])
  writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]))
}

describe.skipIf(missing !== null)(
  `outcomes shown where the action was taken${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let backend: Backend
    let host: WebHost
    let browser: Browser
    let session: E2eSession | undefined
    const t = tempDir('microlad-outcomes-')
    const shot = (page: Page, name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `outcomes-${name}.png`) })
    let datasetId = 0
    let volumeId = 0

    beforeAll(async () => {
      session = await startE2eSession(t.dir)
      ;({ backend, host, browser } = session)
      await backend.invoke('projects.create', { dir: path.join(t.dir, 'project'), name: 'Outcomes' })
      datasetId = (await backend.invoke('datasets.create', { name: 'Imports', anisotropic: false })).id
      const good = path.join(t.dir, 'cube.npy')
      writeFileSync(
        good,
        Buffer.concat(
          encodeNpy(
            makeVolume(
              [8, 8, 8],
              new Uint8Array(512).map((_, i) => (i % 7 === 0 ? 0 : 1)),
            ),
          ),
        ),
      )
      const imp = await waitForJob(
        backend,
        (await backend.invoke('jobs.start', { kind: 'import', params: { path: good } })).id,
      )
      expect(imp.status, imp.error ?? '').toBe('succeeded')
      volumeId = (await backend.invoke('volumes.list', {}))[0].id
    })

    afterAll(async () => {
      await session?.close()
      t.cleanup()
    })

    it('a bad import shows its error inline in Datasets', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(host.url)
      await page.getByTestId('nav-Datasets').click()
      await page.getByTestId('import-dataset').selectOption(String(datasetId))

      const floats = path.join(t.dir, 'grey.npy')
      floatNpy(floats)
      await page.getByTestId('import-path').fill(floats)
      await page.getByTestId('import-start').click()
      const error = page.getByTestId('import-error').first()
      await error.waitFor({ timeout: 20_000 })
      const text = (await error.textContent())?.trim() ?? ''
      expect(text).toMatch(/^grey\.npy was not imported: .*grey\.npy: values are not phase labels/)
      expect(text).toContain('Preview & segment')
      expect(text).not.toMatch(/--threshold/)

      const text2 = path.join(t.dir, 'notes.tif')
      writeFileSync(text2, 'not a TIFF at all\n')
      await page.getByTestId('import-path').fill(text2)
      await page.getByTestId('import-start').click()
      await expect
        .poll(async () => (await page.getByTestId('import-error').first().textContent()) ?? '', {
          timeout: 20_000,
        })
        .toMatch(/notes\.tif was not imported: .*notes\.tif: not a (readable )?TIFF/)
      await shot(page, 'import-error')

      // A blank dataset name is refused with a message.
      await page.getByTestId('new-dataset-name').fill('   ')
      expect(await page.getByTestId('create-dataset').isDisabled()).toBe(true)
      await page.getByTestId('dataset-name-error').waitFor()
      expect(errors).toEqual([])
      await page.close()
    }, 60_000)

    it('an export to an unwritable path shows the reason inline within seconds', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(host.url)
      await page.getByTestId('nav-Results').click()
      await page.getByTestId(`volume-${volumeId}`).click()
      await page.getByTestId('open-export').click()
      const formats = page.getByTestId('export-format')
      await expect.poll(async () => formats.locator('option').count()).toBeGreaterThan(3)
      const offered = await formats
        .locator('option')
        .evaluateAll((o) => o.map((x) => (x as { value: string }).value))
      expect(offered).not.toContain('.png')
      await formats.selectOption('.stl')
      await page.getByTestId('export-phase').waitFor()
      await formats.selectOption('.vti')

      const target = '/proc/nope/cube.vti'
      await page.getByTestId('export-path').fill(target)
      const t0 = Date.now()
      await page.getByTestId('export-start').click()
      const error = page.getByTestId('export-error')
      await error.waitFor({ timeout: 15_000 })
      expect(Date.now() - t0).toBeLessThan(15_000)
      expect((await error.textContent())?.trim()).toMatch(
        /^export failed: cannot create the folder '\/proc\/nope': .+ \(E[A-Z]+\)$/,
      )
      expect(await page.getByTestId('export-status').count()).toBe(0)
      await shot(page, 'export-error')
      expect(existsSync('/proc/nope')).toBe(false)
      expect(errors).toEqual([])
      await page.close()
    }, 60_000)
  },
)
