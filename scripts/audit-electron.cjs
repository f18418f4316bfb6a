// `node scripts/audit-electron.cjs [DIR...]`: Electron security audit with @doyensec/electronegativity over
// the app's sources (src/) and, when built, the bundles that ship (out/main, out/preload, out/renderer).
// Prints every finding and the counts by severity, writes test-artifacts/electronegativity.json (for the
// default folders; other folders relative to the repository can be given instead), and exits 1
// on any HIGH or CRITICAL finding, or on a MEDIUM one not justified below (docs/reliability.md,
// "Electron audit", explains each). Runs offline: the tool's two network look-ups are turned off.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const repo = path.resolve(__dirname, '..')
const enegDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'))

// The tool fetches translations (S3) and Electron's release list (GitHub) at every run; CI reaches neither,
// and a failed look-up throws late from a timer. Both go through `got`: answer them with "offline" at once.
const gotPath = require.resolve('got', { paths: [enegDir] })
const offline = () => Promise.reject(new Error('offline: electronegativity runs without network'))
offline.head = offline
offline.default = offline
offline.__esModule = true
require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: offline }

// AvailableSecurityFixesGlobalCheck (AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK) compares the Electron version with GitHub's release list (network).
const EXCLUDED = ['AvailableSecurityFixesGlobalCheck']

/**
 * MEDIUM findings reviewed and kept, by check id and file (relative to the repository); the reasons are in
 * docs/reliability.md. A MEDIUM finding not listed here fails the audit.
 */
const JUSTIFIED_MEDIUM = {
  'PRELOAD_JS_CHECK src/main/electron/window.ts':
    'the preload exposes only invoke/on/pathForFile through contextBridge; every method is validated',
  'OPEN_EXTERNAL_JS_CHECK src/main/electron/window.ts':
    'shell.openExternal only for http(s) URLs from the window-open handler; every other window is denied',
  'OPEN_EXTERNAL_JS_CHECK out/main/index.js': 'the same call in the built main process',
}

/** What the app is made of: its TypeScript and HTML sources and, once built, the bundles that ship. */
const DEFAULT_DIRS = ['src', 'out/main', 'out/preload', 'out/renderer']
const FAILING = new Set(['CRITICAL', 'HIGH'])
const ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']

function electronVersion() {
  try {
    return require('electron/package.json').version
  } catch {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'))
    return String(pkg.devDependencies.electron).replace(/^[^\d]*/, '')
  }
}

/**
 * The folders to scan, copied into one temporary folder: the global checks (navigation limits, CSP,
 * permission handler) look across all the files of a run, so main, preload and renderer go in together.
 */
function stage(dirs) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'microlad-electronegativity-'))
  for (const d of dirs) {
    const abs = path.resolve(repo, d)
    if (!fs.existsSync(abs)) {
      console.log(`electronegativity: ${d} not found (not built?), skipped`)
      continue
    }
    const rel = path.relative(repo, abs)
    const inRepo = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
    fs.cpSync(abs, path.join(root, inRepo ? rel : path.basename(abs)), { recursive: true })
  }
  return root
}

async function main() {
  const run = require('@doyensec/electronegativity')
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_DIRS
  const input = stage(dirs)
  const version = electronVersion()
  const findings = []
  const parseErrors = []
  const log = console.log
  console.log = () => {} // the runner reports progress on the console even when used as a library
  let r
  try {
    r = await run({ input, electronVersionOverride: version, excludeFromScan: EXCLUDED, parserPlugins: [] })
  } finally {
    console.log = log
    fs.rmSync(input, { recursive: true, force: true })
  }
  const checks = r.globalChecks + r.atomicChecks
  const rel = (file) => (file === 'N/A' ? 'N/A' : path.relative(input, path.resolve(input, file)))
  for (const e of r.errors) parseErrors.push(`${rel(e.file)}: ${e.message ?? e.error}`)
  for (const i of r.issues) {
    const file = rel(i.file)
    findings.push({
      severity: i.severity.name,
      confidence: i.confidence.name,
      id: i.id,
      file,
      line: i.location.line,
      manualReview: Boolean(i.manualReview),
      justified: i.severity.name === 'MEDIUM' ? (JUSTIFIED_MEDIUM[`${i.id} ${file}`] ?? null) : null,
    })
  }
  findings.sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || a.id.localeCompare(b.id))

  log(`electronegativity: Electron ${version}, ${checks} checks over ${dirs.join(', ')}`)
  for (const f of findings) {
    const note = f.justified ? `  (justified: ${f.justified})` : f.manualReview ? '  (review)' : ''
    log(`  ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id}  ${f.file}:${f.line}${note}`)
  }
  for (const e of parseErrors) log(`  parse error (file not checked): ${e}`)
  const counts = Object.fromEntries(ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length]))
  log(`electronegativity: ${ORDER.map((s) => `${counts[s]} ${s}`).join(', ')}`)

  const failing = findings.filter(
    (f) => FAILING.has(f.severity) || (f.severity === 'MEDIUM' && f.justified === null),
  )
  if (dirs === DEFAULT_DIRS) {
    fs.mkdirSync(path.join(repo, 'test-artifacts'), { recursive: true })
    fs.writeFileSync(
      path.join(repo, 'test-artifacts', 'electronegativity.json'),
      `${JSON.stringify({ electron: version, checks, counts, findings, parseErrors }, null, 2)}\n`,
    )
  }
  if (failing.length > 0) {
    log(
      `electronegativity: FAILED: ${failing.length} HIGH/CRITICAL or unjustified MEDIUM finding(s); fix them, or ` +
        'justify a MEDIUM one in scripts/audit-electron.cjs and docs/reliability.md',
    )
    process.exit(1)
  }
  log('electronegativity: passed (no HIGH finding, every MEDIUM one justified)')
}

main().catch((err) => {
  console.error(`electronegativity: error: ${err instanceof Error ? err.stack : String(err)}`)
  process.exit(2)
})
