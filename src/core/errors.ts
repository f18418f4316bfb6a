/**
 * An error caused by what the user asked for (a missing file, a malformed volume, a bad argument).
 * Its message is one line, meant to be shown as is; the CLI prints it and exits non-zero.
 */
export class UserError extends Error {
  override name = 'UserError'
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '))
  }
}

/** Thrown by long computations when their job was cancelled. */
export class CancelledError extends Error {
  override name = 'CancelledError'
  constructor() {
    super('cancelled')
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
