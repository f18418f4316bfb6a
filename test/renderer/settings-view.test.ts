import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setApiClient } from '../../src/renderer/src/api/client'
import SettingsView from '../../src/renderer/src/views/SettingsView.vue'
import type { AppSettings, TrainerStatus } from '../../src/shared/dto'
import { mockClient, type MockClient } from './mock-client'

let client: MockClient
let stored: AppSettings
let trainer: TrainerStatus

beforeEach(() => {
  setActivePinia(createPinia())
  stored = { provider: 'auto', threads: 0, pythonPath: '' }
  trainer = {
    ok: false,
    executable: null,
    pythonVersion: null,
    torchVersion: null,
    cuda: false,
    error: 'no Python found (tried python3, python): install Python 3.10 or newer',
    install: 'python3 -m pip install torch==2.13.0 numpy==2.4.6 onnx==1.23.2 onnxruntime==1.31.1 pillow',
  }
  client = mockClient({
    'settings.get': () => stored,
    'settings.set': (patch) => (stored = { ...stored, ...(patch as Partial<AppSettings>) }),
    'models.trainer': () => trainer,
    'settings.providers': () => providers,
  })
  setApiClient(client)
})

const providers = [
  { id: 'auto', available: true, reason: null },
  { id: 'cuda', available: false, reason: 'its library is not installed' },
  { id: 'directml', available: true, reason: null },
  { id: 'coreml', available: false, reason: 'not part of this ONNX Runtime build for linux-x64' },
  { id: 'cpu', available: true, reason: null },
]

describe('Settings view', () => {
  it('shows the stored settings and saves only a changed, valid form', async () => {
    stored = { provider: 'cpu', threads: 4, pythonPath: '/opt/py/bin/python3' }
    const w = mount(SettingsView)
    await flushPromises()
    expect((w.get('[data-testid="settings-provider"]').element as HTMLSelectElement).value).toBe('cpu')
    expect((w.get('[data-testid="settings-threads"]').element as HTMLInputElement).value).toBe('4')
    expect((w.get('[data-testid="settings-python"]').element as HTMLInputElement).value).toBe(
      '/opt/py/bin/python3',
    )
    const save = w.get('[data-testid="settings-save"]')
    expect(save.attributes('disabled')).toBeDefined()
    await w.get('[data-testid="settings-threads"]').setValue('-2')
    expect(w.find('[data-testid="settings-threads-error"]').exists()).toBe(true)
    expect(save.attributes('disabled')).toBeDefined()
    await w.get('[data-testid="settings-threads"]').setValue('2')
    await w.get('[data-testid="settings-provider"]').setValue('directml')
    await w.get('[data-testid="settings-python"]').setValue('  /usr/bin/python3.11 ')
    expect(save.attributes('disabled')).toBeUndefined()
    await save.trigger('click')
    await flushPromises()
    expect(client.calls.find((c) => c.method === 'settings.set')?.input).toEqual({
      provider: 'directml',
      threads: 2,
      pythonPath: '/usr/bin/python3.11',
    })
    expect(w.get('[data-testid="settings-notice"]').text()).toMatch(/Saved/)
    expect(w.get('[data-testid="settings-save"]').attributes('disabled')).toBeDefined()
  })

  it('says what to install when Python or torch is missing, and what was found when not', async () => {
    const w = mount(SettingsView)
    await flushPromises()
    expect(w.get('[data-testid="settings-trainer"]').text()).toMatch(/no Python found/)
    expect(w.get('[data-testid="settings-install"]').text()).toMatch(/pip install torch==2\.13\.0/)
    trainer = {
      ok: true,
      executable: 'python3',
      pythonVersion: '3.11.9',
      torchVersion: '2.13.0+cpu',
      cuda: false,
      error: null,
      install: '',
    }
    await w.get('[data-testid="settings-check-python"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="settings-trainer"]').text()).toMatch(/Python 3\.11\.9, torch 2\.13\.0\+cpu/)
    expect(w.find('[data-testid="settings-install"]').exists()).toBe(false)
  })

  it('shows a refused save', async () => {
    client = mockClient({
      'settings.get': () => stored,
      'settings.set': () => {
        throw new Error('invalid input for settings.set: threads: Too big')
      },
      'models.trainer': () => trainer,
      'settings.providers': () => providers,
    })
    setApiClient(client)
    const w = mount(SettingsView)
    await flushPromises()
    await w.get('[data-testid="settings-threads"]').setValue('8')
    await w.get('[data-testid="settings-save"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="settings-error"]').text()).toMatch(/invalid input for settings\.set/)
  })

  it('lists each provider as available or unavailable here and refuses an unavailable one with the reason', async () => {
    const w = mount(SettingsView)
    await flushPromises()
    expect(w.get('[data-testid="settings-provider-cpu"]').text()).toMatch(/CPU — available/)
    expect(w.get('[data-testid="settings-provider-coreml"]').text()).toMatch(/CoreML \(macOS\) — unavailable/)
    await w.get('[data-testid="settings-provider"]').setValue('coreml')
    expect(w.get('[data-testid="settings-provider-error"]').text()).toBe(
      'Not available on this machine: not part of this ONNX Runtime build for linux-x64',
    )
    expect(w.get('[data-testid="settings-save"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="settings-provider"]').setValue('cpu')
    expect(w.find('[data-testid="settings-provider-error"]').exists()).toBe(false)
    expect(w.get('[data-testid="settings-save"]').attributes('disabled')).toBeUndefined()
  })

  it('Check Python checks the path typed in the field, before it is saved', async () => {
    stored = { provider: 'auto', threads: 0, pythonPath: '/usr/bin/python3' }
    const w = mount(SettingsView)
    await flushPromises()
    await w.get('[data-testid="settings-python"]').setValue(' /opt/conda/bin/python ')
    await w.get('[data-testid="settings-check-python"]').trigger('click')
    await flushPromises()
    const checks = client.calls.filter((c) => c.method === 'models.trainer')
    expect(checks.at(-1)?.input).toEqual({ pythonPath: '/opt/conda/bin/python' })
    expect(client.calls.some((c) => c.method === 'settings.set')).toBe(false)
  })
})
