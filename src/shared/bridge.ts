/**
 * What the preload exposes as `window.microlad`, and the IPC channel names. Kept free of zod so that the
 * sandboxed preload bundle stays small; the contract itself is in api.ts.
 */

/** Error shape returned by transports; `userError` marks a message meant to be shown as is. */
export interface ApiErrorPayload {
  message: string
  userError: boolean
}

export interface PreloadBridge {
  invoke(
    method: string,
    input: unknown,
  ): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiErrorPayload }>
  on(event: string, listener: (payload: unknown) => void): () => void
  /** Path on disk of a File dropped on the window (Electron's webUtils.getPathForFile; '' if none). */
  pathForFile?(file: File): string
}

export const IPC_INVOKE_CHANNEL = 'microlad:invoke'
export const IPC_EVENT_CHANNEL = 'microlad:event'
export const VOLUME_SCHEME = 'vox'
