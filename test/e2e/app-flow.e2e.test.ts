/**
 * The app's main flow through the web host in headless Chromium: create a project, import a micrograph into
 * a dataset, segment a grey rendering of it with Otsu (the live preview changes with the thresholds) and
 * import the labels, describe it, reconstruct 32³ with the shipped berea-sandstone bundle from the Generate
 * view, look at it in 3D (non-blank pixels), measure it, export it to .vti through the dialog, compare.
 * Screenshots of every view go to test-artifacts/screenshots/ (app-*.png).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PNG } from 'pngjs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Backend } from '../../src/main/backend'
import type { WebHost } from '../../src/host/server'
import type { JobInfo } from '../../src/shared/dto'
import { parseNpy } from '../../src/core/io/npy'
import { createRandom } from '../../src/core/synth/random'
import { SHARED_DATA, tempDir } from '../helpers'
import { SCREENSHOTS, e2eMissing, startE2eSession, type E2eSession } from './browser'
import { waitForJob } from '../backend-helpers'

const missing = e2eMissing()
if (missing && process.env.CI) throw new Error(`end-to-end tests cannot run on CI: ${missing}`)

const MICROGRAPH = path.join(SHARED_DATA, '2d-li2018-sandstone', 'image.png')
const SHIPPED_MODEL = 'berea-sandstone'

/**
 * A grey "micrograph" rendered from a label PNG: 70 + 100·label plus Gaussian noise (σ 20), clipped to
 * 0..255, written as an 8-bit grey PNG. Returns the labels it was made from.
 */
function writeGreyRendering(labelsPng: string, out: string): Uint8Array {
  const src = PNG.sync.read(readFileSync(labelsPng))
  const n = src.width * src.height
  const labels = new Uint8Array(n)
  const grey = Buffer.alloc(n)
  const rand = createRandom(11)
  for (let i = 0; i < n; i++) {
    labels[i] = src.data[4 * i]
    grey[i] = Math.max(0, Math.min(255, Math.round(70 + 100 * labels[i] + 20 * rand.normal())))
  }
  const png = new PNG({
    width: src.width,
    height: src.height,
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
  })
  png.data = grey
  writeFileSync(out, PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }))
  return labels
}

/** Standard deviation of the grey level of a PNG, decoded by the page itself. */
async function pixelSpread(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    // Browser globals, typed here because the test compiles without the DOM library.
    type Bitmap = { width: number; height: number }
    const g = globalThis as unknown as {
      createImageBitmap(blob: Blob): Promise<Bitmap>
      OffscreenCanvas: new (
        w: number,
        h: number,
      ) => {
        getContext(kind: '2d'): {
          drawImage(b: Bitmap, x: number, y: number): void
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray }
        }
      }
    }
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
    const bitmap = await g.createImageBitmap(new Blob([bytes], { type: 'image/png' }))
    const ctx = new g.OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')
    ctx.drawImage(bitmap, 0, 0)
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height)
    let sum = 0
    let sq = 0
    const n = data.length / 4
    for (let i = 0; i < data.length; i += 4) {
      const g = (data[i] + data[i + 1] + data[i + 2]) / 3
      sum += g
      sq += g * g
    }
    return Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2))
  }, png.toString('base64'))
}

describe.skipIf(missing !== null)(
  `app flow in the web host${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let backend: Backend
    let host: WebHost
    let browser: Browser
    let session: E2eSession | undefined
    const t = tempDir('microlad-app-flow-')
    const shot = (page: Page, name: string) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `app-${name}.png`) })

    beforeAll(async () => {
      session = await startE2eSession(t.dir)
      ;({ backend, host, browser } = session)
    })

    afterAll(async () => {
      await session?.close()
      t.cleanup()
    })

    it('project → dataset import → segment (Otsu) → generate (berea-sandstone) → 3D view → describe → export .vti → compare', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(host.url)
      let imageVolumeId: number | null = null

      // Projects
      await page.getByTestId('new-project-dir').fill(path.join(t.dir, 'project'))
      await page.getByTestId('new-project-name').fill('Sandstone study')
      await page.getByTestId('create-project').click()
      await page.getByTestId('current-project').waitFor({ timeout: 20_000 })
      await shot(page, 'projects')

      // Datasets: create one and import the micrograph through the form
      await page.getByTestId('nav-Datasets').click()
      await page.getByTestId('new-dataset-name').fill('Li 2018 sandstone')
      await page.getByTestId('create-dataset').click()
      if (existsSync(MICROGRAPH)) {
        await page.getByTestId('import-path').fill(MICROGRAPH)
        await page.getByTestId('import-plane').selectOption('xy')
        await page.getByTestId('import-start').click()
        await page.getByTestId('dataset-preview').first().waitFor({ timeout: 60_000 })
        imageVolumeId = (await backend.invoke('volumes.list', {}))[0].id

        // Segmentation: a noisy grey rendering of the micrograph, thresholded live in the window
        const greyPath = path.join(t.dir, 'sandstone-grey.png')
        const truth = writeGreyRendering(MICROGRAPH, greyPath)
        await page.getByTestId('import-path').fill(greyPath)
        await page.getByTestId('import-preview').click()
        await page.getByTestId('segmentation').waitFor({ timeout: 30_000 })
        const previewState = async () => ({
          fractions: (await page.getByTestId('seg-fractions').textContent()) ?? '',
          pixels: await page
            .getByTestId('seg-preview')
            .evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL()),
        })
        // A manual threshold far up puts almost everything in phase 0 …
        await page.getByTestId('seg-method').selectOption('manual')
        await page.getByTestId('seg-threshold-0').evaluate((el) => {
          const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean }
          input.value = '230'
          input.dispatchEvent(
            new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('input'),
          )
        })
        await expect.poll(async () => (await previewState()).fractions).toMatch(/phase 0 (9\d|100)\.\d%/)
        const manual = await previewState()
        // … Otsu moves the threshold between the two grey levels: the preview changes at once
        await page.getByTestId('seg-method').selectOption('otsu')
        await expect.poll(async () => (await previewState()).fractions).not.toBe(manual.fractions)
        const otsuState = await previewState()
        expect(otsuState.pixels).not.toBe(manual.pixels)
        const t0 = Number(
          ((await page.getByTestId('seg-threshold-value-0').textContent()) ?? '').replace(/[^0-9]/g, ''),
        )
        expect(t0).toBeGreaterThan(90)
        expect(t0).toBeLessThan(150)
        await page.getByTestId('seg-phase-name-1').fill('minority')
        await page.getByTestId('seg-phase-name-1').press('Enter')
        await page.getByTestId('segmentation').scrollIntoViewIfNeeded()
        await shot(page, 'segmentation')
        await page.getByTestId('import-start').click()
        await expect
          .poll(async () => page.getByTestId('dataset-preview').count(), { timeout: 60_000 })
          .toBe(2)
        const segmented = (await backend.invoke('volumes.list', {})).find((v) => v.name === 'sandstone-grey')!
        expect(segmented.phases.map((p) => p.name)).toEqual(['phase 0', 'minority'])
        const stored = parseNpy(
          readFileSync(backend.app.requireProject().getVolume(segmented.id).path),
          'segmented.npy',
        ).data
        let agree = 0
        for (let i = 0; i < truth.length; i++) if (stored[i] === truth[i]) agree++
        expect(agree / truth.length).toBeGreaterThan(0.97)

        // Descriptor summary of the micrograph in the Datasets view
        await page.getByTestId('desc-volume').selectOption(String(imageVolumeId))
        await page.getByTestId('desc-run').click()
        await page.getByTestId('desc-chords').waitFor({ timeout: 60_000 })
        await expect
          .poll(async () => page.getByTestId('desc-chords').locator('path').count())
          .toBeGreaterThan(0)
        await page.getByTestId('dataset-descriptors').scrollIntoViewIfNeeded()
        await shot(page, 'datasets-descriptors')
      } else {
        console.warn(`skipping the micrograph import: ${MICROGRAPH} not found`)
      }
      await page.locator('.content').evaluate((el) => el.scrollTo(0, 0))
      await shot(page, 'datasets')

      await page.getByTestId('nav-Models').click()
      await page.getByTestId('view-models').waitFor()
      await shot(page, 'models')

      // Generate: the shipped bundle from the form when it is there, a synthetic volume otherwise
      await page.getByTestId('nav-Generate').click()
      await page.getByTestId('view-generate').waitFor()
      const models = await backend.invoke('models.list', {})
      let job: JobInfo
      if (models.some((m) => m.id === SHIPPED_MODEL && m.ok)) {
        await page.getByTestId('generate-model').selectOption(SHIPPED_MODEL)
        await page.getByTestId('generate-size').fill('32')
        await page.getByTestId('generate-seed').fill('1')
        await page.waitForTimeout(300)
        await page.getByTestId('generate-steps').fill('10')
        await expect.poll(async () => page.getByTestId('generate-start').isEnabled()).toBe(true)
        await shot(page, 'generate')
        await page.getByTestId('generate-start').click()
        await expect
          .poll(async () => (await backend.invoke('jobs.list', {})).some((j) => j.kind === 'reconstruct'))
          .toBe(true)
        job = (await backend.invoke('jobs.list', {})).find((j) => j.kind === 'reconstruct')!
        expect(job.params).toMatchObject({ model: SHIPPED_MODEL, size: 32, steps: 10 })
      } else {
        console.warn(`${SHIPPED_MODEL} bundle not available: a synthetic volume stands in`)
        await shot(page, 'generate')
        job = await backend.invoke('jobs.start', {
          kind: 'synth',
          params: { kind: 'spheres', size: 48, vf: 0.3, radius: 5, seed: 3 },
        })
      }
      const done = await waitForJob(backend, job.id, 300_000)
      expect(done.status, done.error ?? '').toBe('succeeded')
      const volumeId = (done.result as { volumeIds: number[] }).volumeIds[0]
      const size = (await backend.invoke('volumes.get', { id: volumeId })).shape[2]

      // Jobs: the list comes from the database and shows the log of a job
      await page.getByTestId('nav-Jobs').click()
      await page.getByTestId(`job-${job.id}`).click()
      await page.getByTestId('job-log').waitFor()
      await shot(page, 'jobs')

      // Results: the 3D view draws something
      await page.goto(`${host.url}#/results?volume=${volumeId}`)
      const viewer = page.getByTestId('volume-viewer')
      await viewer.locator('canvas').waitFor({ timeout: 30_000 })
      await page.waitForTimeout(1500)
      expect(await pixelSpread(page, await viewer.screenshot())).toBeGreaterThan(8)
      await page.getByTestId('run-describe').click()
      await page.getByTestId('describe-table').waitFor({ timeout: 60_000 })
      await page.getByTestId('curves').waitFor()
      await page.locator('.content').evaluate((el) => el.scrollTo(0, 0))
      await shot(page, 'results')
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('viewer-screenshot').click(),
      ])
      const png = path.join(t.dir, 'viewer.png')
      await download.saveAs(png)
      expect(download.suggestedFilename()).toMatch(/\.png$/)
      expect(await pixelSpread(page, readFileSync(png))).toBeGreaterThan(8)

      // Marching-cubes surface of phase 1 alone
      await page.getByTestId('volume-rendering').uncheck()
      await page.getByTestId('phase-surface-1').check()
      await expect
        .poll(async () => (await page.getByTestId('triangles-1').textContent()) ?? '', { timeout: 20_000 })
        .toMatch(/[1-9]/)
      await page.waitForTimeout(1000)
      expect(await pixelSpread(page, await viewer.screenshot())).toBeGreaterThan(8)
      await shot(page, 'results-surface')

      // Curves against the imported micrograph, described on the way
      if (imageVolumeId !== null) {
        await page.getByTestId('reference-volume').selectOption(String(imageVolumeId))
        // Described already in the Datasets view; the button only shows for a reference without descriptors
        if (await page.getByTestId('describe-reference').isVisible())
          await page.getByTestId('describe-reference').click()
        await page.getByTestId('curve-errors').waitFor({ timeout: 60_000 })
      }
      await page.getByTestId('curves').scrollIntoViewIfNeeded()
      await shot(page, 'results-curves')

      // Switching volumes disposes the old scene and builds a new one (a 2D image is a one-voxel slab)
      if (imageVolumeId !== null) {
        await page.getByTestId(`volume-${imageVolumeId}`).click()
        await page.getByTestId('slice-x').waitFor()
        await expect
          .poll(async () => page.getByTestId('slice-x').getAttribute('max'), { timeout: 20_000 })
          .toBe('255')
        await page.waitForTimeout(500)
        expect(await pixelSpread(page, await viewer.screenshot())).toBeGreaterThan(8)
        await page.getByTestId(`volume-${volumeId}`).click()
        await expect
          .poll(async () => page.getByTestId('slice-x').getAttribute('max'), { timeout: 20_000 })
          .toBe(String(size - 1))
      }

      // Export through the dialog
      const output = path.join(t.dir, 'exports', 'result.vti')
      await page.getByTestId('open-export').click()
      await page.getByTestId('export-format').selectOption('.vti')
      await page.getByTestId('export-path').fill(output)
      await page.getByTestId('export-start').click()
      await expect
        .poll(async () => (await page.getByTestId('export-status').textContent()) ?? '', { timeout: 60_000 })
        .toContain(`written to ${output}`)
      await shot(page, 'export')
      expect(existsSync(output)).toBe(true)
      await page.getByTestId('export-close').click()

      // Compare: every volume against the first
      await page.getByTestId('nav-Compare').click()
      const picks = page.locator('[data-testid^="compare-pick-"]')
      await picks.first().waitFor()
      // The micrograph first: it is the reference of the S2 errors
      if (imageVolumeId !== null) await page.getByTestId(`compare-pick-${imageVolumeId}`).check()
      await page.getByTestId(`compare-pick-${volumeId}`).check()
      await page.getByTestId('compare-table').waitFor()
      if (imageVolumeId !== null) {
        await expect
          .poll(async () => (await page.getByTestId(`compare-row-${volumeId}`).textContent()) ?? '')
          .toMatch(/\d+\.\d{2}\s*$/)
      }
      await shot(page, 'compare')

      expect(errors).toEqual([])
      await page.close()
    })
  },
)
