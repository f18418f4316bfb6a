/**
 * The preload: the only bridge between the sandboxed renderer and the main process. It exposes two
 * functions (invoke a contract method, subscribe to an event) and nothing of Electron itself. Inputs are
 * validated again in the main process; this side only checks the envelope.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type PreloadBridge } from '../shared/bridge'

export const bridge: PreloadBridge = {
  invoke(method, input) {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'))
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, input)
  },
  on(event, listener) {
    if (typeof event !== 'string' || typeof listener !== 'function')
      throw new TypeError('on(event, listener)')
    const wrapped = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped)
    }
  },
  pathForFile(file) {
    return webUtils.getPathForFile(file)
  },
}

contextBridge.exposeInMainWorld('microlad', bridge)
