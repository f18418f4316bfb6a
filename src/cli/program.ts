import { Command, CommanderError } from 'commander'
import { CancelledError, UserError, errorMessage } from '../core/errors'
import { registerCommands } from './commands'

export function buildProgram(): Command {
  const program = new Command('microlad')
    .description(
      'MicroLad Studio command line: 2D micrographs to 3D microstructures, measurement, inverse design, export',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      // Commander's own errors (unknown option, missing argument) become one line like ours.
      outputError: (str, write) => write(`microlad: error: ${str.replace(/^error:\s*/i, '').trim()}\n`),
    })
  registerCommands(program)
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput())
  return program
}

/** Run the CLI; returns the process exit code. Every failure is one line on stderr. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version'
        ? 0
        : 2
    }
    if (err instanceof UserError) {
      process.stderr.write(`microlad: error: ${err.message}\n`)
      return 2
    }
    if (err instanceof CancelledError) {
      process.stderr.write('microlad: cancelled\n')
      return 130
    }
    process.stderr.write(`microlad: internal error: ${errorMessage(err).split('\n')[0]}\n`)
    if (process.env.MICROLAD_DEBUG) console.error(err)
    return 1
  }
}
