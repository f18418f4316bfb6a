import { promises as fs } from 'node:fs'
import path from 'node:path'
import { UserError } from '../errors'

/** What an errno code means to someone exporting a file (others: the system's own message). */
const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'the folder does not accept new files',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'a file of that name is in the way',
  ENAMETOOLONG: 'the name is too long',
  EBUSY: 'the file is busy',
  EMFILE: 'too many open files',
}

function errnoCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : null
}

/** A one-line UserError naming `file` for a file-system error; any other error is returned as is. */
export function fileError(action: string, file: string, err: unknown): unknown {
  const code = errnoCode(err)
  if (code === null) return err
  const reason = FS_REASONS[code] ?? (err as Error).message
  return new UserError(`cannot ${action} '${file}': ${reason} (${code})`)
}

/**
 * Create `dir` and any missing parents, one level at a time. Unlike `fs.mkdir(dir, { recursive: true })`,
 * which on Linux retries forever (100 % CPU) when a folder refuses new entries with ENOENT (/proc, some
 * network and FUSE file systems), this makes at most one attempt per missing level and fails with the path.
 */
export async function ensureDir(dir: string): Promise<void> {
  const abs = path.resolve(dir)
  const missing: string[] = []
  for (let p = abs; ; p = path.dirname(p)) {
    const st = await fs.stat(p).catch((err: unknown) => {
      const code = errnoCode(err)
      if (code === 'ENOENT' || code === 'ENOTDIR') return null
      throw fileError('create the folder', abs, err)
    })
    if (st?.isDirectory()) break
    if (st) throw new UserError(`cannot create the folder '${abs}': '${p}' is a file, not a folder`)
    if (path.dirname(p) === p) break
    missing.push(p)
  }
  for (const d of missing.reverse()) {
    try {
      await fs.mkdir(d)
    } catch (err) {
      if (errnoCode(err) === 'EEXIST' && (await fs.stat(d).catch(() => null))?.isDirectory()) continue
      throw fileError('create the folder', d, err)
    }
  }
}

/**
 * Write a file atomically: the bytes go to a temporary file in the same folder, which is renamed onto
 * the target only when complete, so a failed or killed write never leaves a half-written file behind.
 * File-system errors become one-line UserErrors naming the target.
 */
export async function writeFileAtomic(
  target: string,
  write: (tmpPath: string) => Promise<void>,
): Promise<void> {
  const dir = path.dirname(target)
  await ensureDir(dir)
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`)
  try {
    await write(tmp)
    await fs.rename(tmp, target)
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {})
    throw fileError('write', target, err)
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
