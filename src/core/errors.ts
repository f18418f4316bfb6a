/**
 * An error caused by what the user asked for (a missing file, a malformed volume, a bad argument).
 * Its message is one line, meant to be shown as is; the CLI prints it and exits non-zero.
 *
 * A message that tells the user which command-line option to give (`--phase P`, `--threshold`) carries
 * the same advice in the app's words as `appMessage` (the field or button the app has for it); job
 * processes and the app show that one (`appErrorMessage`).
 */
export class UserError extends Error {
  override name = 'UserError'
  readonly appMessage: string | undefined
  constructor(message: string, options: { app?: string } = {}) {
    super(oneLine(message))
    this.appMessage = options.app === undefined ? undefined : oneLine(options.app)
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
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

/** An error's message as the app shows it: the app's wording of a UserError when it has one. */
export function appErrorMessage(err: unknown): string {
  if (err instanceof UserError && err.appMessage !== undefined) return err.appMessage
  return errorMessage(err)
}
