import { BrowserWindow, shell } from 'electron'
import path from 'node:path'

/** The security settings of every app window (Electron's checklist): nothing of Node in the renderer. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  spellcheck: false,
} as const

export function createMainWindow(
  preloadPath: string,
  rendererUrl: string | undefined,
  rendererFile: string,
): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    title: 'MicroLad Studio',
    show: false,
    backgroundColor: '#14161c',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadPath },
  })
  win.once('ready-to-show', () => win.show())
  // No remote content: links open in the user's browser, navigation away from the app is refused.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', (e, url) => {
    if (!rendererUrl || !url.startsWith(rendererUrl)) e.preventDefault()
  })
  if (rendererUrl) void win.loadURL(rendererUrl)
  else void win.loadFile(path.resolve(rendererFile))
  return win
}
