/**
 * File access shared by the readers and writers: whole-file reads that turn system errors into one-line
 * UserErrors, and a buffered writer that streams text and bytes to a temporary file which is renamed
 * onto the target only when complete (atomic.ts), so big exports never build one giant string.
 */
import { promises as fs } from 'node:fs'
import { UserError } from '../errors'
import { writeFileAtomic } from './atomic'

/** Largest input accepted in one piece: beyond this the user gets a clear error instead of an OOM. */
export const MAX_INPUT_BYTES = 8 * 2 ** 30
/** Largest volume (voxels) a reader will allocate. */
export const MAX_VOXELS = 2 ** 32

function systemError(file: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new UserError(`${file}: no such file`)
  if (code === 'EISDIR') return new UserError(`${file}: is a folder, not a volume file`)
  return new UserError(`${file}: cannot read (${code ?? (err as Error).message})`)
}

export async function fileSize(file: string): Promise<number> {
  try {
    const st = await fs.stat(file)
    if (st.isDirectory()) throw new UserError(`${file}: is a folder, not a volume file`)
    return st.size
  } catch (err) {
    if (err instanceof UserError) throw err
    throw systemError(file, err)
  }
}

export async function readBytes(file: string): Promise<Uint8Array> {
  const size = await fileSize(file)
  if (size === 0) throw new UserError(`${file}: the file is empty (0 bytes)`)
  if (size > MAX_INPUT_BYTES)
    throw new UserError(
      `${file}: ${size} bytes is larger than the ${MAX_INPUT_BYTES} bytes this reader accepts`,
    )
  try {
    const buf = await fs.readFile(file)
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
  } catch (err) {
    throw systemError(file, err)
  }
}

export async function readText(file: string): Promise<string> {
  return new TextDecoder('latin1').decode(await readBytes(file))
}

/** Check a declared voxel count before allocating it. */
export function checkVoxelCount(file: string, dims: number[]): number {
  const n = dims.reduce((a, b) => a * b, 1)
  if (!dims.every((d) => Number.isInteger(d) && d > 0))
    throw new UserError(`${file}: bad dimensions ${dims.join('x')}`)
  if (n > MAX_VOXELS)
    throw new UserError(`${file}: declared size ${dims.join('x')} (${n} voxels) is larger than memory allows`)
  return n
}

const CHUNK = 1 << 20

/** Buffered sequential writer over a file handle: collects small pieces into ~1 MiB writes. */
export class ChunkedWriter {
  private buf = Buffer.allocUnsafe(CHUNK)
  private used = 0
  /** Bytes written so far (flushed or buffered). */
  position = 0

  constructor(private readonly fh: fs.FileHandle) {}

  async text(s: string): Promise<void> {
    const n = Buffer.byteLength(s, 'latin1')
    if (n > CHUNK - this.used) await this.flush()
    if (n > CHUNK) {
      await this.fh.write(Buffer.from(s, 'latin1'))
    } else {
      this.buf.write(s, this.used, 'latin1')
      this.used += n
    }
    this.position += n
  }

  async bytes(b: Uint8Array): Promise<void> {
    if (b.length > CHUNK - this.used) await this.flush()
    if (b.length > CHUNK) await this.fh.write(b)
    else {
      this.buf.set(b, this.used)
      this.used += b.length
    }
    this.position += b.length
  }

  /** Overwrite bytes already written (e.g. a count known only at the end); the append position is kept. */
  async writeAt(position: number, b: Uint8Array): Promise<void> {
    await this.flush()
    await this.fh.write(b, 0, b.length, position)
  }

  async flush(): Promise<void> {
    if (this.used > 0) await this.fh.write(this.buf, 0, this.used)
    this.used = 0
  }
}

/** Stream a file atomically: `write` gets a ChunkedWriter on a temporary file renamed onto `target`. */
export async function writeStreamAtomic(
  target: string,
  write: (out: ChunkedWriter) => Promise<void>,
): Promise<void> {
  await writeFileAtomic(target, async (tmp) => {
    const fh = await fs.open(tmp, 'w')
    try {
      const out = new ChunkedWriter(fh)
      await write(out)
      await out.flush()
    } finally {
      await fh.close()
    }
  })
}

/** Throttled progress: calls `cb` at most every 1 % of the work. */
export function progressReporter(
  cb: ((f: number) => void) | undefined,
  total: number,
): (done: number) => void {
  if (!cb || total <= 0) return () => {}
  let last = -1
  return (done) => {
    const pct = Math.floor((100 * done) / total)
    if (pct > last) {
      last = pct
      cb(Math.min(1, done / total))
    }
  }
}
