import { runCli } from './program'

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    process.stderr.write(`microlad: internal error: ${String(err)}\n`)
    process.exitCode = 1
  },
)
