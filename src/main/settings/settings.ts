/**
 * App-level settings in userData/settings.json (not per project): ONNX Runtime execution provider and
 * intra-op threads for reconstruction and design jobs, and the Python executable for training. The file is
 * validated with the contract's zod schema; a missing or unreadable file gives the defaults, an invalid
 * value is dropped (the rest is kept), and writes are atomic (temp file + rename).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { AppSettings, AppSettingsPatch } from '../../shared/dto'

export const SETTINGS_FILE = 'settings.json'

/** Older settings files wrote ORT's provider name. */
const LEGACY_PROVIDER: Record<string, string> = { dml: 'directml' }

export function parseSettings(json: unknown): AppSettings {
  const raw = typeof json === 'object' && json !== null ? { ...(json as Record<string, unknown>) } : {}
  if (typeof raw.provider === 'string' && raw.provider in LEGACY_PROVIDER)
    raw.provider = LEGACY_PROVIDER[raw.provider]
  const kept: Record<string, unknown> = {}
  for (const key of Object.keys(AppSettings.shape) as (keyof AppSettings)[]) {
    if (raw[key] === undefined) continue
    const one = AppSettings.shape[key].safeParse(raw[key])
    if (one.success) kept[key] = one.data
  }
  return AppSettings.parse(kept)
}

export class SettingsStore {
  constructor(readonly dir: string) {}

  get file(): string {
    return path.join(this.dir, SETTINGS_FILE)
  }

  get(): AppSettings {
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch {
      return AppSettings.parse({})
    }
    try {
      return parseSettings(JSON.parse(text))
    } catch {
      return AppSettings.parse({})
    }
  }

  /** Validate a change, merge it into the stored settings and write them. */
  set(patch: unknown): AppSettings {
    const change = AppSettingsPatch.parse(patch)
    const next = AppSettings.parse({ ...this.get(), ...change })
    mkdirSync(this.dir, { recursive: true })
    const tmp = `${this.file}.tmp-${process.pid}`
    writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n')
    renameSync(tmp, this.file)
    return next
  }
}

/** ORT's provider name for a setting ('directml' → 'dml'); undefined for 'auto' (the core's default). */
export function ortProvider(p: AppSettings['provider']): string | undefined {
  if (p === 'auto') return undefined
  return p === 'directml' ? 'dml' : p
}

/**
 * The settings a job process gets: the app settings unless the job's parameters name a provider or a
 * thread count themselves.
 */
export function jobSettings(
  s: AppSettings,
  params: Record<string, unknown>,
): { threads?: number; provider?: string } {
  const out: { threads?: number; provider?: string } = {}
  const threads = typeof params.threads === 'number' && params.threads > 0 ? params.threads : s.threads
  if (threads > 0) out.threads = threads
  const provider =
    typeof params.provider === 'string' && params.provider
      ? params.provider === 'directml'
        ? 'dml'
        : params.provider
      : ortProvider(s.provider)
  if (provider) out.provider = provider
  return out
}

/** The environment for finding Python: the configured executable becomes MICROLAD_PYTHON. */
export function pythonEnv(s: AppSettings, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return s.pythonPath ? { ...env, MICROLAD_PYTHON: s.pythonPath } : env
}
