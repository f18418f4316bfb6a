import { protocol } from 'electron'
import { VOLUME_SCHEME } from '../../shared/bridge'

/** Must run before app 'ready': vox:// is a standard, secure, fetchable scheme for volume bytes. */
export function registerVolumeSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: VOLUME_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
    },
  ])
}

/** Serve vox://volumes/<id> with the raw uint8 labels of a project volume (never through IPC messages). */
export function handleVolumeProtocol(volumeBytes: (id: number) => Promise<Uint8Array>): void {
  protocol.handle(VOLUME_SCHEME, async (request) => {
    const m = /^vox:\/\/volumes\/(\d+)\/?$/.exec(request.url)
    if (!m) return new Response('not found', { status: 404 })
    try {
      const bytes = await volumeBytes(Number(m[1]))
      return new Response(bytes as unknown as ConstructorParameters<typeof Response>[0], {
        headers: { 'content-type': 'application/octet-stream' },
      })
    } catch (err) {
      return new Response(err instanceof Error ? err.message : String(err), { status: 404 })
    }
  })
}
