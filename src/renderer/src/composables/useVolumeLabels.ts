/**
 * The voxel labels of one volume, fetched by URL when the volume changes. Kept in a shallowRef so the
 * (possibly 128 MiB) array is never wrapped in a reactive proxy; never stored in Pinia.
 */
import { shallowRef, watch, type Ref } from 'vue'
import type { VolumeInfo } from '../../../shared/dto'
import { fetchVolumeBytes } from '../api/client'

export async function loadVolumeLabels(volume: VolumeInfo): Promise<Uint8Array> {
  const bytes = await fetchVolumeBytes(volume.url)
  const expected = volume.shape[0] * volume.shape[1] * volume.shape[2]
  if (bytes.length !== expected)
    throw new Error(`volume ${volume.name}: got ${bytes.length} bytes, expected ${expected}`)
  return bytes
}

export function useVolumeLabels(volume: Ref<VolumeInfo | null>) {
  const labels = shallowRef<Uint8Array | null>(null)
  const loading = shallowRef(false)
  const error = shallowRef<string | null>(null)
  let request = 0

  watch(
    () => volume.value?.id,
    async () => {
      const v = volume.value
      const mine = ++request
      labels.value = null
      error.value = null
      if (!v) return
      loading.value = true
      try {
        const bytes = await loadVolumeLabels(v)
        if (mine === request) labels.value = bytes
      } catch (e) {
        if (mine === request) error.value = (e as Error).message
      } finally {
        if (mine === request) loading.value = false
      }
    },
    { immediate: true },
  )
  return { labels, loading, error }
}
