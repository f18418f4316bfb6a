import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { VolumeInfo } from '../../../shared/dto'
import { invoke, onEvent } from '../api/client'
import { useAsyncAction } from '../composables/useAsyncAction'

/** Volume metadata only; voxel bytes are fetched by URL when a view needs them, never kept in the store. */
export const useVolumesStore = defineStore('volumes', () => {
  const volumes = ref<VolumeInfo[]>([])
  const { error, run } = useAsyncAction()
  async function refresh() {
    await run(
      async () => {
        volumes.value = await invoke('volumes.list', {})
      },
      () => (volumes.value = []),
    )
  }
  onEvent('project.changed', () => void refresh())
  return { volumes, error, refresh }
})
