import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { VolumeInfo } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'

/** Volume metadata only; voxel bytes are fetched by URL when a view needs them, never kept in the store. */
export const useVolumesStore = defineStore('volumes', () => {
  const volumes = ref<VolumeInfo[]>([])
  const error = ref<string | null>(null)
  async function refresh() {
    try {
      volumes.value = await invoke('volumes.list', {})
      error.value = null
    } catch (e) {
      volumes.value = []
      error.value = (e as Error).message
    }
  }
  onEvent('project.changed', () => void refresh())
  return { volumes, error, refresh }
})
