#!/usr/bin/env bash
# `npm test`: lint, typecheck, build, Electron security audit (electronegativity, docs/reliability.md),
# unit + integration + end-to-end tests (vitest), Python tests
# (trainer, cross-checks against PoreSpy / TauFactor / tifffile / meshio / VTK). Every stage runs even
# when an earlier one failed; the last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
failed_stages=()

stage() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@"; then failed_stages+=("$name"); fi
}

stage lint npm run --silent lint
stage typecheck npm run --silent typecheck
stage build npx electron-vite build
stage electron-audit node scripts/audit-electron.cjs
stage vitest npx vitest run
stage pytest python3 -m pytest -q -rs --junit-xml=test-artifacts/pytest.xml test/python training/tests

node scripts/test-summary.cjs "${failed_stages[@]}"
