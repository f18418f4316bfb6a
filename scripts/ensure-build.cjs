// Build the app (main, preload, renderer) if the renderer has not been built yet, so that
// `npm run web` works on a fresh clone.
const { existsSync } = require('node:fs')
const { execSync } = require('node:child_process')
const path = require('node:path')

if (!existsSync(path.join(__dirname, '..', 'out', 'renderer', 'index.html'))) {
  console.log('building the app first (npm run build)...')
  execSync('npx electron-vite build', { stdio: 'inherit', cwd: path.join(__dirname, '..') })
}
