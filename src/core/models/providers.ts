/**
 * ONNX Runtime execution providers. `auto` tries, in order, CUDA → DirectML → CoreML → CPU, keeping only
 * those compiled into this onnxruntime-node build for this platform (a name that is not compiled in would
 * be dropped with a warning and the session would silently run on CPU, misreporting the provider). ORT
 * throws when a provider's libraries are missing (e.g. CUDA without the NuGet GPU package); the error is
 * caught and the next provider tried. The provider that created the session is reported with every run.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { UserError, errorMessage } from '../errors'

// ORT's default logger prints a missing provider library as an error before throwing; the throw is handled
// by the fallback below and every failure reaches the caller as an exception, so only fatal messages are
// logged. ORT reads this level once, when its environment is created by the first session.
ort.env.logLevel = 'fatal'

export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'cpu'
export type ProviderChoice = 'auto' | ProviderName

export const PROVIDER_CHOICES: readonly ProviderChoice[] = ['auto', 'cuda', 'dml', 'coreml', 'cpu']
const AUTO_ORDER: readonly ProviderName[] = ['cuda', 'dml', 'coreml', 'cpu']

export interface SessionSettings {
  provider: ProviderChoice
  /** Threads inside one operator (CPU provider); 0 = ORT's default (one per core). */
  intraOpNumThreads: number
}

/** Providers compiled into this build (names as the Node binding lists them, `dml` on Windows). */
export function availableProviders(): ProviderName[] {
  const names = new Set(ort.listSupportedBackends().map((b) => b.name))
  return AUTO_ORDER.filter((p) => p === 'cpu' || names.has(p))
}

/** Whether a provider can run on this machine, and why not. */
export interface ProviderStatus {
  name: ProviderName
  available: boolean
  /** Why it cannot run here (null when available). */
  reason: string | null
}

const PROVIDER_PLATFORMS: Record<ProviderName, string> = {
  cuda: 'an NVIDIA GPU on Linux or Windows',
  dml: 'Windows',
  coreml: 'macOS',
  cpu: 'every platform',
}

/** The shared library ORT loads for a provider that is not bundled with the binding (CUDA, TensorRT). */
function providerLibrary(name: string): string | null {
  try {
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'))
    const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch)
    const file =
      process.platform === 'win32'
        ? `onnxruntime_providers_${name}.dll`
        : `libonnxruntime_providers_${name}.so`
    return path.join(dir, file)
  } catch {
    return null
  }
}

/**
 * Each execution provider with whether this machine can use it: compiled into this onnxruntime-node build
 * for this platform, and (for providers ORT loads from a separate library, e.g. CUDA) that library
 * installed. A provider whose library is there may still fail when a session opens (no GPU, wrong
 * driver); the job then says why.
 */
export function providerStatuses(
  backends: readonly { name: string; bundled: boolean }[] = ort.listSupportedBackends(),
  libraryPresent: (name: string) => boolean = (name) => {
    const lib = providerLibrary(name)
    return lib !== null && existsSync(lib)
  },
): ProviderStatus[] {
  return AUTO_ORDER.map((name) => {
    if (name === 'cpu') return { name, available: true, reason: null }
    const b = backends.find((x) => x.name === name)
    if (!b)
      return {
        name,
        available: false,
        reason: `not part of this ONNX Runtime build for ${process.platform}-${process.arch} (it runs on ${PROVIDER_PLATFORMS[name]})`,
      }
    if (!b.bundled && !libraryPresent(name))
      return {
        name,
        available: false,
        reason: `its library is not installed (ONNX Runtime downloads it at install time; reinstall with ONNXRUNTIME_NODE_INSTALL unset)`,
      }
    return { name, available: true, reason: null }
  })
}

/** The providers to try, in order, for a choice. */
export function providerCandidates(choice: ProviderChoice): ProviderName[] {
  if (choice === 'auto') return availableProviders()
  if (choice !== 'cpu' && !availableProviders().includes(choice)) {
    throw new UserError(
      `execution provider '${choice}' is not part of this ONNX Runtime build (available: ${availableProviders().join(', ')})`,
    )
  }
  return [choice]
}

export interface OpenedSession {
  session: ort.InferenceSession
  provider: ProviderName
  /** Why earlier providers were skipped (for logs). */
  fallbacks: string[]
}

function sessionOptions(provider: ProviderName, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    graphOptimizationLevel: 'all',
    ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    // ORT's worker threads spin between operators by default; on a shared or busy CPU that burns cycles the
    // next operator needs. Without spinning the same work takes less CPU time (measured in docs).
    // Denormal floats (tiny gradients in decoder_vjp) are flushed to zero: they cost ~100× per operation.
    extra: {
      session: {
        intra_op: { allow_spinning: process.env.MICROLAD_ORT_SPIN === '1' ? '1' : '0' },
        set_denormal_as_zero: '1',
      },
    },
  }
}

/**
 * Open a session on the first provider that works. `preferred` (e.g. the provider the first graph of a
 * bundle landed on) is tried first so that all graphs of a model share a provider when possible.
 */
export async function openSession(
  file: string,
  settings: SessionSettings,
  preferred?: ProviderName,
): Promise<OpenedSession> {
  let candidates = providerCandidates(settings.provider)
  if (preferred && candidates.includes(preferred))
    candidates = [preferred, ...candidates.filter((c) => c !== preferred)]
  const fallbacks: string[] = []
  for (const provider of candidates) {
    try {
      const session = await ort.InferenceSession.create(
        file,
        sessionOptions(provider, settings.intraOpNumThreads),
      )
      return { session, provider, fallbacks }
    } catch (err) {
      fallbacks.push(`${provider}: ${errorMessage(err).split('\n')[0]}`)
    }
  }
  const why = fallbacks.at(-1) ?? 'no provider'
  if (settings.provider !== 'auto' && settings.provider !== 'cpu') {
    throw new UserError(`cannot use execution provider '${settings.provider}' for ${file}: ${why}`)
  }
  throw new UserError(`cannot load ${file}: ${why}`)
}
