#!/usr/bin/env node
// Entry point of the `microlad` command. The CLI is TypeScript run through tsx, so a fresh clone needs
// no build step; the desktop app bundles the same modules with electron-vite.
const path = require('node:path')
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(
    `microlad: error: Node ${process.versions.node} is too old; Node 22.12 or newer is required\n`,
  )
  process.exit(2)
}
require('tsx/cjs/api').register()
require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'))
