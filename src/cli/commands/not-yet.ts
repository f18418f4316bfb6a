import { UserError } from '../../core/errors'

/** For commands whose engine lands in a later issue: fail clearly instead of pretending. */
export function notYetAvailable(command: string, what: string): never {
  throw new UserError(`'${command}' is not available yet: ${what} has not landed in this build`)
}
