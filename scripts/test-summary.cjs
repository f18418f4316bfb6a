// Adds up the vitest JSON report and the pytest JUnit XML into one closing line, "N passed, N failed".
// Arguments: names of stages (lint, typecheck, build) that failed; each counts as one failure.
const fs = require('node:fs')
const path = require('node:path')

const artifacts = path.join(__dirname, '..', 'test-artifacts')
let passed = 0
let failed = 0
let skipped = 0

const vitestFile = path.join(artifacts, 'vitest-results.json')
if (fs.existsSync(vitestFile)) {
  const r = JSON.parse(fs.readFileSync(vitestFile, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0)
  skipped += r.numPendingTests + r.numTodoTests
  console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)
} else {
  console.log('vitest: no report')
  failed += 1
}

const pytestFile = path.join(artifacts, 'pytest.xml')
if (fs.existsSync(pytestFile)) {
  const xml = fs.readFileSync(pytestFile, 'utf8')
  const attr = (name) =>
    [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`, 'g'))].reduce(
      (s, m) => s + Number(m[1]),
      0,
    )
  const tests = attr('tests')
  const f = attr('failures') + attr('errors')
  const s = attr('skipped')
  passed += tests - f - s
  failed += f
  skipped += s
  console.log(`pytest: ${tests - f - s} passed, ${f} failed, ${s} skipped`)
} else {
  console.log('pytest: no report')
  failed += 1
}

const stages = process.argv.slice(2)
for (const s of stages) console.log(`stage failed: ${s}`)
failed += stages.filter((s) => s !== 'vitest' && s !== 'pytest').length
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 || stages.length > 0 ? 1 : 0)
