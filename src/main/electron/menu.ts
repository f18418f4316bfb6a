import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron'

/** Native menus; view switches send a hash route to the renderer (the same routes the web host uses). */
export function installMenu(focused: () => BrowserWindow | null): void {
  const go = (route: string) => () => {
    void focused()?.webContents.executeJavaScript(`location.hash = ${JSON.stringify('#' + route)}`)
  }
  const views: MenuItemConstructorOptions[] = [
    { label: 'Projects', accelerator: 'CmdOrCtrl+1', click: go('/projects') },
    { label: 'Datasets', accelerator: 'CmdOrCtrl+2', click: go('/datasets') },
    { label: 'Models', accelerator: 'CmdOrCtrl+3', click: go('/models') },
    { label: 'Generate', accelerator: 'CmdOrCtrl+4', click: go('/generate') },
    { label: 'Jobs', accelerator: 'CmdOrCtrl+5', click: go('/jobs') },
    { label: 'Results', accelerator: 'CmdOrCtrl+6', click: go('/results') },
    { label: 'Compare', accelerator: 'CmdOrCtrl+7', click: go('/compare') },
    { label: 'Settings', accelerator: 'CmdOrCtrl+,', click: go('/settings') },
  ]
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Demo Project', click: go('/projects?demo=1') },
        { label: 'Import Model Bundle…', accelerator: 'CmdOrCtrl+I', click: go('/models?import=1') },
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: go('/settings') },
        { type: 'separator' },
        { role: process.platform === 'darwin' ? 'close' : 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...views,
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
