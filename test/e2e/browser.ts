import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'

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
