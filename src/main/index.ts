/**
 * Electron main process: one window, the typed API over IPC, volume bytes over vox://, jobs in utility
 * processes. All science lives in core and runs in job processes; this file only wires things together.
 */
import { app, BrowserWindow, session } from 'electron'
import path from 'node:path'
import { createBackend } from './backend'
import { wireIpc } from './electron/ipc'
import { installMenu } from './electron/menu'
import { utilityProcessLauncher } from './electron/utility-launcher'
import { handleVolumeProtocol, registerVolumeSchemePrivileges } from './electron/volume-protocol'
import { createMainWindow } from './electron/window'

registerVolumeSchemePrivileges()

app.whenReady().then(() => {
  // Packaged apps find the shipped model bundles in resources/models (electron-builder extraResources);
  // job processes inherit this.
  if (app.isPackaged && !process.env.MICROLAD_MODELS_DIR) {
    process.env.MICROLAD_MODELS_DIR = path.join(process.resourcesPath, 'models')
  }
  if (app.isPackaged && !process.env.MICROLAD_DEMO_DIR) {
    process.env.MICROLAD_DEMO_DIR = path.join(process.resourcesPath, 'demo')
  }
  const backend = createBackend({
    userDataDir: app.getPath('userData'),
    transport: 'electron',
    launcher: utilityProcessLauncher(path.join(__dirname, 'job-process.js')),
    volumeUrl: (id) => `vox://volumes/${id}`,
  })
  handleVolumeProtocol((id) => backend.volumeBytes(id))
  // Refuse every permission request (camera, notifications, ...): the app needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false))
  wireIpc(backend, () => BrowserWindow.getAllWindows())
  const open = () =>
    createMainWindow(
      path.join(__dirname, '../preload/index.js'),
      process.env.ELECTRON_RENDERER_URL,
      path.join(__dirname, '../renderer/index.html'),
    )
  installMenu(() => BrowserWindow.getFocusedWindow())
  // The last project reopens; on a first start (no recent project) the demo project opens instead, before
  // the window asks what is open.
  if (backend.app.reopenLastProject()) open()
  else void backend.app.openDemoOnFirstStart().finally(open)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
  app.on('before-quit', () => backend.app.closeProject())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
