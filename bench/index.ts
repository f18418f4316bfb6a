/**
 * `npm run bench -- NAME [args]`: runs bench/NAME.ts, whose default export returns a JSON-able result,
 * and writes bench/results/NAME.json with the machine it ran on. Benchmarks compare against the reference
 * implementations (PoreSpy, TauFactor, the PyTorch pipeline) in the same run where one exists.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface BenchContext {
  args: string[]
  log: (msg: string) => void
}

export function machineInfo() {
  let python: string | null
  try {
    python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    python = null
  }
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    python,
    date: new Date().toISOString(),
  }
}

async function main() {
  const [name, ...args] = process.argv.slice(2)
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.startsWith('_'))
    .map((f) => f.replace(/\.ts$/, ''))
  if (!name || !available.includes(name)) {
    process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [args]\n`)
    process.exit(2)
  }
  const mod = (await import(path.join(__dirname, `${name}.ts`))) as {
    default: (ctx: BenchContext) => Promise<unknown>
  }
  const started = Date.now()
  const result = await mod.default({ args, log: (m) => process.stderr.write(`[bench ${name}] ${m}\n`) })
  const out = { benchmark: name, machine: machineInfo(), wallSeconds: (Date.now() - started) / 1000, result }
  const dir = path.join(__dirname, 'results')
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n')
  process.stdout.write(
    JSON.stringify(out.result, null, 2) + `\nwritten to ${path.relative(process.cwd(), file)}\n`,
  )
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
