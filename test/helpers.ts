import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** ../shared/data beside the project checkout (the real microstructures); absent on some machines. */
export const SHARED_DATA = path.resolve(__dirname, '..', '..', 'shared', 'data')
export const hasSharedData = existsSync(path.join(SHARED_DATA, '3d-berea-sandstone', 'volume.raw'))
export const sharedDataSkipReason = `real data not found at ${SHARED_DATA}; skipping tests on real microstructures`

export function tempDir(prefix = 'microlad-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
