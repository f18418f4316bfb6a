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
  /** Middle-click opens no new window (it would bypass the window-open handler's intent). */
  disableBlinkFeatures: 'Auxclick',
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
    // The three that matter most are written out here as well as in SECURE_WEB_PREFERENCES, so that the
    // static audit (scripts/audit-electron.cjs, electronegativity) sees them on the BrowserWindow call.
    webPreferences: {
      ...SECURE_WEB_PREFERENCES,
      contextIsolation: true,
      sandbox: true,
      disableBlinkFeatures: 'Auxclick',
      preload: preloadPath,
    },
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
