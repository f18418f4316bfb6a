import { UserError } from '../core/errors'
import { AXES, type Axis } from '../core/volume/volume'

/**
 * A progress callback for long commands: one line on stderr, rewritten at most every 250 ms, only on a
 * terminal and unless --quiet; a newline when the work is done.
 */
export function stderrProgress<P extends { fraction: number }>(
  quiet: boolean | undefined,
  line: (p: P) => string,
) {
  let lastPrinted = 0
  return (p: P): void => {
    if (quiet || !process.stderr.isTTY) return
    const now = Date.now()
    if (now - lastPrinted < 250 && p.fraction < 1) return
    lastPrinted = now
    process.stderr.write(`\r${line(p)}   `)
    if (p.fraction >= 1) process.stderr.write('\n')
  }
}

/** Print a result: JSON when --json was given, the human rendering otherwise. */
export function emit(json: boolean | undefined, result: unknown, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : human() + '\n')
}

export function parseIntOption(name: string, min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) {
      const range = max === Infinity ? `>= ${min}` : `${min}..${max}`
      throw new UserError(`--${name} must be an integer ${range}, got '${value}'`)
    }
    return n
  }
}

export function parseFloatOption(name: string, min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new UserError(`--${name} must be a number in [${min}, ${max}], got '${value}'`)
    }
    return n
  }
}

export function parseAxisOption(value: string): Axis {
  if (!(AXES as readonly string[]).includes(value))
    throw new UserError(`--axis must be z, y or x, got '${value}'`)
  return value as Axis
}

/** Parse "a,b,c" into three positive numbers (for --shape and --spacing). */
export function parseTriple(name: string, integer: boolean) {
  return (value: string): [number, number, number] => {
    const parts = value.split(',').map(Number)
    const ok =
      parts.length === 3 &&
      parts.every((p) => Number.isFinite(p) && p > 0 && (!integer || Number.isInteger(p)))
    if (!ok)
      throw new UserError(
        `--${name} must be three positive ${integer ? 'integers' : 'numbers'} z,y,x, got '${value}'`,
      )
    return parts as [number, number, number]
  }
}

/** Collect repeated options (e.g. --target a --target b) into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
