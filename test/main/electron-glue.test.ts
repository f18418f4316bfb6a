/**
 * The Electron glue (window, preload bridge, IPC, vox:// protocol) with `electron` mocked: Electron's
 * binary cannot be downloaded on CI machines, so these check our wiring, not Electron itself.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'

const mocks = vi.hoisted(() => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>()
  const rendererListeners = new Map<string, ((...args: unknown[]) => void)[]>()
  return {
    handlers,
    rendererListeners,
    windows: [] as { options: Record<string, unknown>; loaded: string | null }[],
    exposed: {} as Record<string, unknown>,
    protocolHandler: null as null | ((req: { url: string }) => Promise<Response>),
    privileged: [] as unknown[],
    invokeCalls: [] as unknown[][],
    menuTemplate: null as null | unknown[],
    executed: [] as string[],
  }
})

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { id: 7, setWindowOpenHandler: vi.fn(), on: vi.fn(), mainFrame: 'main' }
    rec: { options: Record<string, unknown>; loaded: string | null }
    constructor(options: Record<string, unknown>) {
      this.rec = { options, loaded: null }
      mocks.windows.push(this.rec)
    }
    once() {}
    loadURL(u: string) {
      this.rec.loaded = u
      return Promise.resolve()
    }
    loadFile(f: string) {
      this.rec.loaded = f
      return Promise.resolve()
    }
    isDestroyed() {
      return false
    }
  }
  return {
    BrowserWindow,
    Menu: {
      buildFromTemplate: (t: unknown[]) => {
        mocks.menuTemplate = t
        return t
      },
      setApplicationMenu: vi.fn(),
    },
    shell: { openExternal: vi.fn() },
    ipcMain: {
      handle: (ch: string, fn: (...a: unknown[]) => unknown) => mocks.handlers.set(ch, fn),
      removeHandler: (ch: string) => mocks.handlers.delete(ch),
    },
    webUtils: { getPathForFile: (f: { name: string }) => `/dropped/${f.name}` },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        mocks.invokeCalls.push(args)
        return Promise.resolve({ ok: true, result: 'pong' })
      },
      on: (ch: string, l: (...a: unknown[]) => void) =>
        mocks.rendererListeners.set(ch, [...(mocks.rendererListeners.get(ch) ?? []), l]),
      removeListener: (ch: string, l: (...a: unknown[]) => void) =>
        mocks.rendererListeners.set(
          ch,
          (mocks.rendererListeners.get(ch) ?? []).filter((x) => x !== l),
        ),
    },
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (mocks.exposed[key] = value) },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => mocks.privileged.push(...s),
      handle: (_scheme: string, fn: (req: { url: string }) => Promise<Response>) =>
        (mocks.protocolHandler = fn),
    },
  }
})

beforeEach(() => {
  mocks.windows.length = 0
})

describe('main window', () => {
  it('has sandbox and context isolation on and no Node integration', async () => {
    const { createMainWindow } = await import('../../src/main/electron/window')
    createMainWindow('/app/preload.js', undefined, '/app/renderer/index.html')
    const prefs = mocks.windows[0].options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: '/app/preload.js',
    })
    expect(mocks.windows[0].loaded).toBe('/app/renderer/index.html')
  })
})

describe('preload bridge', () => {
  it('exposes invoke and on over the two channels, and the path of a dropped file', async () => {
    await import('../../src/preload/index')
    const bridge = mocks.exposed.microlad as {
      invoke: (m: string, i: unknown) => Promise<unknown>
      on: (e: string, l: (p: unknown) => void) => () => void
    }
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'pathForFile'])
    expect((bridge as unknown as { pathForFile(f: unknown): string }).pathForFile({ name: 'a.png' })).toBe(
      '/dropped/a.png',
    )
    await expect(bridge.invoke('app.info', {})).resolves.toEqual({ ok: true, result: 'pong' })
    expect(mocks.invokeCalls.at(-1)).toEqual(['microlad:invoke', 'app.info', {}])
    const got: unknown[] = []
    const off = bridge.on('job', (p) => got.push(p))
    for (const l of mocks.rendererListeners.get('microlad:event') ?? []) {
      l({}, 'job', { id: 1 })
      l({}, 'other', { id: 2 })
    }
    expect(got).toEqual([{ id: 1 }])
    off()
    expect(mocks.rendererListeners.get('microlad:event')).toHaveLength(0)
  })
})

describe('IPC wiring', () => {
  it('dispatches requests from our window and refuses other senders', async () => {
    const { wireIpc } = await import('../../src/main/electron/ipc')
    const dispatch = vi.fn(async () => ({ ok: true as const, result: 42 }))
    const backend = { dispatch, events: { subscribe: () => () => {} } }
    const win = { webContents: { id: 7, send: vi.fn() }, isDestroyed: () => false }
    wireIpc(backend as never, () => [win as never])
    const handler = mocks.handlers.get('microlad:invoke')!
    const mainFrame = {}
    await expect(
      handler({ sender: { id: 7, mainFrame }, senderFrame: mainFrame }, 'app.info', {}),
    ).resolves.toEqual({ ok: true, result: 42 })
    const refused = (await handler(
      { sender: { id: 99, mainFrame }, senderFrame: mainFrame },
      'app.info',
      {},
    )) as { ok: boolean }
    expect(refused.ok).toBe(false)
    expect(dispatch).toHaveBeenCalledTimes(1)
  })
})

describe('vox:// protocol', () => {
  it('is privileged for fetch and serves volume bytes by id', async () => {
    const { handleVolumeProtocol, registerVolumeSchemePrivileges } =
      await import('../../src/main/electron/volume-protocol')
    registerVolumeSchemePrivileges()
    expect(mocks.privileged).toContainEqual(
      expect.objectContaining({
        scheme: 'vox',
        privileges: expect.objectContaining({ supportFetchAPI: true }),
      }),
    )
    handleVolumeProtocol(async (id) => {
      if (id !== 3) throw new Error('volume 9 does not exist')
      return Uint8Array.from([1, 2, 3])
    })
    const ok = await mocks.protocolHandler!({ url: 'vox://volumes/3' })
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(Uint8Array.from([1, 2, 3]))
    expect((await mocks.protocolHandler!({ url: 'vox://volumes/9' })).status).toBe(404)
    expect((await mocks.protocolHandler!({ url: 'vox://elsewhere/3' })).status).toBe(404)
  })
})

interface MenuItem {
  label?: string
  accelerator?: string
  role?: string
  submenu?: MenuItem[]
  click?: () => void
}

describe('application menu', () => {
  it('has the Settings view and model import, with shortcuts that switch the route', async () => {
    const { installMenu } = await import('../../src/main/electron/menu')
    const win = {
      webContents: {
        executeJavaScript: (js: string) => {
          mocks.executed.push(js)
          return Promise.resolve()
        },
      },
    }
    installMenu(() => win as never)
    const items = (mocks.menuTemplate as MenuItem[]).flatMap((m) => m.submenu ?? [])
    const settings = items.filter((i) => i.label?.startsWith('Settings'))
    expect(settings.length).toBeGreaterThan(0)
    expect(settings.every((i) => i.accelerator === 'CmdOrCtrl+,')).toBe(true)
    const importItem = items.find((i) => i.label?.startsWith('Import Model Bundle'))
    expect(importItem?.accelerator).toBe('CmdOrCtrl+I')
    settings[0].click!()
    importItem!.click!()
    expect(mocks.executed).toEqual(['location.hash = "#/settings"', 'location.hash = "#/models?import=1"'])
    // every view shortcut is unique
    const accels = items.map((i) => i.accelerator).filter(Boolean)
    const views = (mocks.menuTemplate as MenuItem[]).find((m) => m.label === 'View')!.submenu!
    const viewAccels = views.map((i) => i.accelerator).filter(Boolean)
    expect(new Set(viewAccels).size).toBe(viewAccels.length)
    expect(accels).toContain('CmdOrCtrl+7')
  })
})

describe('security checklist', () => {
  it('the renderer page has a strict Content-Security-Policy', () => {
    const html = readFileSync(path.resolve(__dirname, '../../src/renderer/index.html'), 'utf8')
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(csp).toBeDefined()
    const directives = Object.fromEntries(
      csp!.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/)
        return [name, values]
      }),
    )
    expect(directives['default-src']).toEqual(["'self'"])
    expect(directives['script-src']).toEqual(["'self'"])
    expect(directives['object-src']).toEqual(["'none'"])
    expect(csp).not.toMatch(/unsafe-eval/)
  })

  it('the window keeps sandbox, isolation, no Node and web security on', async () => {
    const { SECURE_WEB_PREFERENCES } = await import('../../src/main/electron/window')
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    })
  })

  it('every API method validates its argument before it reaches a handler', async () => {
    const { apiMethods } = await import('../../src/shared/api')
    const { createDispatcher } = await import('../../src/main/api/dispatch')
    const called: string[] = []
    const handlers = new Proxy(
      {},
      {
        get: (_t, name: string) => () => {
          called.push(name)
          return null
        },
      },
    )
    const dispatch = createDispatcher(handlers as never)
    for (const method of Object.keys(apiMethods)) {
      for (const bad of [42, 'x', [1], { unexpected: { nested: true } }]) {
        const r = await dispatch(method, bad)
        expect(r.ok, `${method} accepted ${JSON.stringify(bad)}`).toBe(false)
      }
    }
    expect(called).toEqual([])
    expect((await dispatch('jobs.logs', { id: 1, after: -5 })).ok).toBe(false)
    expect((await dispatch('settings.set', { threads: 1.5 })).ok).toBe(false)
  })
})
