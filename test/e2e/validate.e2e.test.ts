/**
 * "Validate model" in the web host in headless Chromium: on the berea-sandstone model's page, validate
 * against a reference volume file (the real Berea volume's held-out half when ../shared/data is here, else a
 * synthetic volume) with tiny sizes, and see the stored report: rows with verdict chips, curves, histograms.
 * Screenshot: test-artifacts/screenshots/app-models-validation.png.
 */
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Backend } from '../../src/main/backend'
import type { WebHost } from '../../src/host/server'
import { writeVolume } from '../../src/core/io'
import { synthesize } from '../../src/core/synth'
import { SHARED_DATA, hasSharedData, tempDir } from '../helpers'
import { SCREENSHOTS, e2eMissing, startE2eSession, type E2eSession } from './browser'

const missing = e2eMissing()
if (missing && process.env.CI) throw new Error(`end-to-end tests cannot run on CI: ${missing}`)

describe.skipIf(missing !== null)(
  `validate model in the web host${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let backend: Backend
    let host: WebHost
    let browser: Browser
    let session: E2eSession | undefined
    const t = tempDir('microlad-validate-e2e-')

    beforeAll(async () => {
      session = await startE2eSession(t.dir)
      ;({ backend, host, browser } = session)
    })

    afterAll(async () => {
      await session?.close()
      t.cleanup()
    })

    it('runs a validate job from the model page and shows the report', async () => {
      await backend.invoke('projects.create', { dir: path.join(t.dir, 'project'), name: 'Validation' })
      let reference = path.join(SHARED_DATA, '3d-berea-sandstone', 'volume.raw')
      let region = [128, 256]
      if (!hasSharedData) {
        reference = path.join(t.dir, 'reference.npy')
        await writeVolume(reference, synthesize('grf', { shape: [48, 48, 48], vf: 0.8, seed: 1 }))
        region = [16, 48]
      }
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(host.url)
      await page.getByTestId('nav-Models').click()
      await page.getByTestId('model-details-berea-sandstone').click()
      const panel = page.getByTestId('model-validation-berea-sandstone')
      await panel.waitFor({ timeout: 20_000 })
      await panel.getByTestId('validate-ref-kind').selectOption('file')
      await panel.getByTestId('validate-path').fill(reference)
      await panel.getByTestId('validate-z0').fill(String(region[0]))
      await panel.getByTestId('validate-z1').fill(String(region[1]))
      await panel.getByTestId('validate-size').fill('16')
      await panel.getByTestId('validate-count').fill('2')
      await panel.getByTestId('validate-draws').fill('3')
      await panel.getByTestId('validate-start').click()
      await panel.getByTestId('validation-report').waitFor({ timeout: 90_000 })
      const rows = panel.locator('[data-testid="validation-rows"] tbody tr')
      expect(await rows.count()).toBeGreaterThanOrEqual(8)
      const verdicts = await panel.locator('.chip').allTextContents()
      expect(verdicts.every((v) => ['within', 'outside'].includes(v.trim()))).toBe(true)
      expect(
        await panel.getByTestId('validation-curve-s2').locator('path[data-series="real max"]').count(),
      ).toBe(1)
      expect(await panel.getByTestId('validation-hist-vf').locator('rect').count()).toBeGreaterThan(0)
      await panel.getByTestId('validation-report').scrollIntoViewIfNeeded()
      await page.screenshot({ path: path.join(SCREENSHOTS, 'app-models-validation.png'), fullPage: true })
      const stored = await backend.invoke('validations.list', { modelId: 'berea-sandstone' })
      expect(stored).toHaveLength(1)
      expect(errors).toEqual([])
    }, 150_000)
  },
)
