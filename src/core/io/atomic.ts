import { promises as fs } from 'node:fs'
import path from 'node:path'

/**
 * Write a file atomically: the bytes go to a temporary file in the same folder, which is renamed onto
 * the target only when complete, so a failed or killed write never leaves a half-written file behind.
 */
export async function writeFileAtomic(
  target: string,
  write: (tmpPath: string) => Promise<void>,
): Promise<void> {
  const dir = path.dirname(target)
  await fs.mkdir(dir, { recursive: true })
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`)
  try {
    await write(tmp)
    await fs.rename(tmp, target)
  } catch (err) {
    await fs.rm(tmp, { force: true })
    throw err
  }
}

export async function writeBytesAtomic(target: string, chunks: Uint8Array | Uint8Array[]): Promise<void> {
  await writeFileAtomic(target, async (tmp) => {
    const fh = await fs.open(tmp, 'w')
    try {
      for (const c of Array.isArray(chunks) ? chunks : [chunks]) await fh.write(c)
    } finally {
      await fh.close()
    }
  })
}
