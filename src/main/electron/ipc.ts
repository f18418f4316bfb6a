import { ipcMain, type BrowserWindow } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/bridge'
import type { Backend } from '../backend'

/**
 * One IPC channel for requests and one for events. Requests are accepted only from our own windows'
 * main frames; the dispatcher validates every argument against the contract.
 */
export function wireIpc(backend: Backend, windows: () => BrowserWindow[]): () => void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, (event, method: unknown, input: unknown) => {
    const own = windows().some((w) => w.webContents.id === event.sender.id)
    if (!own || event.senderFrame !== event.sender.mainFrame) {
      return { ok: false, error: { message: 'request from an unknown frame refused', userError: false } }
    }
    return backend.dispatch(method, input)
  })
  const unsubscribe = backend.events.subscribe((name, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(IPC_EVENT_CHANNEL, name, payload)
  })
  return () => {
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL)
    unsubscribe()
  }
}
