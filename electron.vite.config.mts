import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          // The job process is its own entry: Electron runs it as a utilityProcess.
          'job-process': resolve(import.meta.dirname, 'src/main/jobs/job-process.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload cannot require sibling chunks: bundle everything into one file.
    build: {
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias: { '@renderer': resolve(import.meta.dirname, 'src/renderer/src') } },
    plugins: [vue()],
    build: { rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } } },
  },
})
